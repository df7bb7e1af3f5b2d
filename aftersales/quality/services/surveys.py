"""Survey links: a one-time link to the ticket's contact by SMS or email; only a hash of the token is stored.

The pattern of `dispatch.services.links`: the raw token goes into the message and is never stored; the link is
spent in the transaction that records the answer, under a row lock, so it works once.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python as to_phone_number

from aftersales.accounts.models import system_user
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.models import Contact
from aftersales.notifications.choices import ChannelKind
from aftersales.notifications.services import Message, enqueue
from aftersales.quality.choices import FollowUpStatus, Method
from aftersales.quality.models import FollowUp, SurveyLink
from aftersales.quality.services.common import may_follow_up, render
from aftersales.quality.services.follow_ups import answer_apply, clean_scores, locked_open
from aftersales.tickets.choices import EventKind


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_days() -> int:
    return getattr(settings, "AFTERSALES_SURVEY_LINK_DAYS", 7)


def survey_url(token: str) -> str:
    return f"{settings.AFTERSALES_BASE_URL}/survey/{token}/"


@transaction.atomic
def survey_link_send(*, actor, follow_up: FollowUp, send_to: str = "", now: dt.datetime | None = None) -> str:
    """Send the ticket's contact a one-time survey link (SMS to a phone, else email); returns the raw token.

    `actor` None is the sweep sending the links of due survey follow-ups; the default address is the ticket's
    contact phone. The link goes only to the customer's people on record, never to an address made up here.
    """
    if actor is not None and not may_follow_up(actor):
        raise PermissionDenied()
    follow_up = locked_open(follow_up)
    now = now or timezone.now()
    ticket = follow_up.ticket
    channel, address = _address(send_to or str(ticket.contact_phone or ""), ticket)
    token = secrets.token_urlsafe(32)
    SurveyLink.objects.create(
        follow_up=follow_up,
        token_hash=token_hash(token),
        sent_to=address,
        created_by=actor,
        expires_at=now + dt.timedelta(days=link_days()),
    )
    url = survey_url(token)
    context = {"number": ticket.number, "title": ticket.title, "customer": ticket.customer.name, "days": link_days()}
    subject, body = render("survey_link", settings.LANGUAGE_CODE, context)
    key = f"follow_up:{follow_up.pk}:survey_link:{follow_up.survey_links.count()}"
    enqueue([Message(key=key, channel=channel, recipient=address, user_id=None, subject=subject, body=body, url=url)])
    if follow_up.method != Method.SURVEY_LINK:
        follow_up.method = Method.SURVEY_LINK
        follow_up.save(update_fields=["method"])
    return token


def survey_link_find(token: str, *, lock: bool = False) -> SurveyLink:
    """The usable link for `token`; NotFound for unknown tokens, InvalidTransition for used or expired ones."""
    links = SurveyLink.objects.select_related("follow_up__ticket__customer")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(token_hash=token_hash(token or "")).first()
    if link is None:
        raise NotFound(_("This link is not valid."))
    if link.used_at is not None or link.follow_up.status == FollowUpStatus.DONE:
        raise InvalidTransition(_("This survey has already been answered. Thank you."))
    if link.expires_at <= timezone.now():
        raise InvalidTransition(_("This link has expired."))
    return link


@transaction.atomic
def survey_answer(*, token: str, scores: dict, comment: str = "", user=None) -> FollowUp:
    """The customer answers through the link (SURVEY_ANSWERED); the link is spent with the answer.

    A signed-in customer user of another customer is refused: the link is for the ticket's own customer.
    """
    link = survey_link_find(token, lock=True)
    signed_in_customer = user is not None and user.is_authenticated and user.is_customer_user
    if signed_in_customer and user.customer_id != link.follow_up.ticket.customer_id:
        raise NotFound(_("This link is not valid."))
    follow_up = locked_open(link.follow_up)
    clean = clean_scores(scores)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return answer_apply(
        follow_up,
        actor=system_user(),
        recorded_by=None,
        method=Method.SURVEY_LINK,
        scores=clean,
        comment=comment,
        kind=EventKind.SURVEY_ANSWERED,
    )


def survey_links_send_due(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Send the link of every due survey follow-up that has none yet (idempotent: one link per follow-up here)."""
    now = now or timezone.now()
    due = FollowUp.objects.filter(
        status=FollowUpStatus.PENDING, method=Method.SURVEY_LINK, due_at__lte=now, survey_links__isnull=True
    ).order_by("id")
    sent, after = 0, 0
    while follow_ups := list(due.filter(id__gt=after)[:batch]):
        after = follow_ups[-1].id
        for follow_up in follow_ups:
            try:
                survey_link_send(actor=None, follow_up=follow_up, now=now)
            except (ValidationFailed, InvalidTransition):
                continue  # no usable address on record, or answered meanwhile: the worklist still shows it
            sent += 1
    return sent


def _address(send_to: str, ticket) -> tuple[str, str]:
    send_to = send_to.strip()
    invalid = ValidationFailed(detail={"send_to": [_("Enter a valid mobile number or email address.")]})
    if "@" in send_to:
        try:
            validate_email(send_to)
        except ValidationError:
            raise invalid from None
        channel, address = ChannelKind.EMAIL, send_to.lower()
    else:
        phone = to_phone_number(send_to, region="CN") if send_to else None
        if phone is None or not phone.is_valid():
            raise invalid
        channel, address = ChannelKind.SMS, phone.as_e164
    if address not in _addresses_on_record(ticket):
        raise ValidationFailed(detail={"send_to": [_("Send the link to one of the customer's contacts on record.")]})
    return channel, address


def _addresses_on_record(ticket) -> set[str]:
    contacts = Contact.objects.filter(customer_id=ticket.customer_id).values_list("phone", "email")
    addresses = {email.lower() for _phone, email in contacts if email}
    for phone in [str(ticket.contact_phone or ""), *(str(phone) for phone, _email in contacts if phone)]:
        parsed = to_phone_number(phone, region="CN") if phone else None
        if parsed is not None and parsed.is_valid():
            addresses.add(parsed.as_e164)
    return addresses
