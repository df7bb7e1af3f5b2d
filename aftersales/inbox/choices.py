from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AfterProcessing(models.TextChoices):
    """What happens to a message on the server once it is recorded (committed) here."""

    EXPUNGE = "expunge", _("Delete it from the server")
    MOVE = "move", _("Move it to another folder")


class Outcome(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("inbound mail", "Received")
    TICKET_CREATED = "ticket_created", _("Ticket opened")
    COMMENT_ADDED = "comment_added", _("Reply added to the ticket")
    NOTE_FOR_REVIEW = "note_for_review", _("Internal note for review (unknown sender)")
    TO_SORT = "to_sort", _("Waiting to be sorted")
    SORTED = "sorted", _("Sorted by an agent")
    DISMISSED = "dismissed", _("Dismissed")
    AUTO_REPLY = "auto_reply", _("Automatic reply (not answered)")
    BOUNCE = "bounce", _("Bounce (not answered)")
    LOOP_STOPPED = "loop_stopped", _("Mail loop stopped")
    FAX = "fax", _("Fax registered")
    FAILED = "failed", _("Failed (kept for review)")


# Outcomes an agent still has to act on.
WAITING_OUTCOMES = frozenset({Outcome.TO_SORT, Outcome.FAILED})


class OutgoingKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    REPLY = "reply", _("Reply")
    RESOLUTION = "resolution", _("Resolution notice")
