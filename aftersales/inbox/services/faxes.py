"""Mail from a fax gateway: each PDF or TIFF attachment is a received fax, registered by the intake register
(aftersales.intake.fax), which opens its ticket when the customer is known."""

import re

from django.db import transaction

from aftersales.core.errors import ValidationFailed
from aftersales.inbox.choices import Outcome
from aftersales.inbox.mime import ParsedMail, Part
from aftersales.inbox.models import InboundMessage, Mailbox
from aftersales.intake.fax import fax_register
from aftersales.intake.models import FaxReceipt

FAX_TYPES = {"application/pdf", "image/tiff", "image/tif"}
FAX_EXTENSIONS = (".pdf", ".tif", ".tiff")
# Gateways put the calling number in the subject ("Fax from 0571-8888 6666", "传真来自 +86 571 88886666").
PHONE = re.compile(r"(?:\+\d{1,3}[\s-]?)?\(?\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}")
SUMMARY_LIMIT = 2000


def fax_number_of(mail: ParsedMail) -> str:
    for text in (mail.subject, mail.sender_name, mail.text[:300]):
        if found := PHONE.search(text or ""):
            return " ".join(found.group(0).split())
    return ""


def register_faxes(*, inbound: InboundMessage, mail: ParsedMail, mailbox: Mailbox) -> None:
    """Each scan in the register on its own: one the register refuses (not a PDF or TIFF by its bytes, empty,
    too large) is noted and the others are registered; with none registered the mail waits to be sorted."""
    scans = [
        part for part in mail.parts if part.content_type in FAX_TYPES or part.name.lower().endswith(FAX_EXTENSIONS)
    ]
    fax_number = fax_number_of(mail)
    summary = "\n\n".join(part for part in (mail.subject, mail.text.strip()) if part)[:SUMMARY_LIMIT]
    receipts, refused = [], []
    for part in scans:
        try:
            with transaction.atomic():
                receipts.append(_register(part, inbound=inbound, mailbox=mailbox, number=fax_number, summary=summary))
        except ValidationFailed as error:
            refused.append(
                {"code": "fax_refused", "name": part.name, "size": part.size, "fields": sorted(error.detail)}
            )
    registered = [{"code": "fax_registered", "register": receipt.number} for receipt in receipts]
    inbound.notes = [*inbound.notes, *registered, *refused]
    if not receipts:
        inbound.outcome = Outcome.TO_SORT
        inbound.notes = [*inbound.notes, *([] if refused else [{"code": "no_fax_document"}])]
        inbound.save()
        return
    inbound.outcome = Outcome.FAX
    inbound.ticket = next((receipt.ticket for receipt in receipts if receipt.ticket_id), None)
    inbound.customer = next((receipt.customer for receipt in receipts if receipt.customer_id), None)
    inbound.save()


def _register(part: Part, *, inbound: InboundMessage, mailbox: Mailbox, number: str, summary: str) -> FaxReceipt:
    return fax_register(
        actor=mailbox.owner,
        file_name=part.name,
        content=part.content,
        content_type=part.content_type,
        fax_number=number,
        received_at=inbound.received_at,
        summary=summary,
        customer=mailbox.default_customer,
    )
