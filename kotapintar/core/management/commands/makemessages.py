"""``makemessages`` without fuzzy matching.

GNU msgmerge guesses a translation for a new string from a similar old one ("Sent to agency" from
"agency") and marks it fuzzy; one overlooked guess shows citizens a wrong text. New strings stay
empty instead, and the catalogue check fails until someone translates them.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
