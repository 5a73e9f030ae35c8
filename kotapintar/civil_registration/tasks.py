"""Background tasks of civil registration (django-tasks).

The self-print PIN task receives only the application id: the PIN is made at sending time
(``services.self_print_pin_deliver``), so it is never stored in clear in the task queue, in a
notification row or in a log.
"""

from __future__ import annotations

from django_tasks import task

from kotapintar.civil_registration.services import self_print_pin_deliver


@task()
def self_print_pin_send_task(application_id: str) -> list[str]:
    """Send a new self-print PIN and the link to the applicant; returns the channels used."""
    return self_print_pin_deliver(application_id=application_id)
