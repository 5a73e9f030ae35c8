"""Demo data: a registry of generators that every module extends.

A module adds its demo data in ``kotapintar/<app>/demo.py``::

    from kotapintar.core.demo.registry import DemoContext, register_generator

    def complaints(ctx: DemoContext) -> dict[str, int]:
        ...
        return {"complaints": ctx.bulk_create(Complaint, objs)}

    register_generator("complaints", 200, complaints)

``manage.py generate_demo`` imports every app's ``demo`` module (this package is the core
app's), then runs the generators by ``order``. The built-in ones live here.
"""

from kotapintar.core.demo import users  # noqa: F401  (registers the built-in generators)
