"""The printable task sheet (任务书): a work order rendered to a Chinese PDF by WeasyPrint, and stored on it.

The CJK glyphs come from the system font "WenQuanYi Zen Hei" (Debian's fonts-wqy-zenhei), found through
fontconfig and embedded (subset) in every PDF, so the sheet prints the same on any machine.
"""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from aftersales.core.time import local_zone
from aftersales.dispatch.charges import work_order_charges
from aftersales.dispatch.choices import SignerRole, WorkOrderEventKind, WorkOrderKind
from aftersales.dispatch.models import WorkOrder
from aftersales.dispatch.services.common import record_event

TEMPLATE = "dispatch/work_order_pdf.html"
TITLES = {WorkOrderKind.ON_SITE: "用户现场维护任务书", WorkOrderKind.REMOTE: "用户远程维护任务书"}
# A sheet that changes while it is being rendered is rendered again, at most this many times in all.
RENDER_ATTEMPTS = 3


@dataclass(frozen=True)
class SignatureImage:
    signer_name: str
    signed_at: object
    data_uri: str


def _url_fetcher():
    """Only data: URIs (the signature images): a task sheet never fetches anything from the network or disk."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def _signatures(work_order: WorkOrder) -> dict[str, SignatureImage]:
    images = {}
    for signature in work_order.signatures.all():
        images[signature.role] = SignatureImage(
            signer_name=signature.signer_name, signed_at=signature.signed_at, data_uri=signature.data_uri
        )
    return images


def _html(work_order: WorkOrder) -> str:
    signatures = _signatures(work_order)
    context = {
        "work_order": work_order,
        "title": TITLES[work_order.kind],
        "on_site": work_order.kind == WorkOrderKind.ON_SITE,
        "log": list(work_order.log.all()),
        "parts": list(work_order.parts.all()),
        "charges": work_order_charges(work_order),
        "customer_signature": signatures.get(SignerRole.CUSTOMER),
        "engineer_signature": signatures.get(SignerRole.ENGINEER),
        "rendered_at": timezone.now(),
    }
    # The paper form is Chinese; dates and numbers follow it, in the installation's zone.
    with translation.override("zh-hans"), timezone.override(local_zone()):
        return render_to_string(TEMPLATE, context)


def render(work_order: WorkOrder) -> bytes:
    """The task sheet as PDF bytes."""
    from weasyprint import HTML  # imported here: it loads Pango and fonts, which only the worker needs

    work_order = (
        WorkOrder.objects.select_related("ticket__contract", "customer", "dispatcher", "engineer", "archived_by")
        .prefetch_related("log", "parts", "signatures")
        .get(pk=work_order.pk)
    )
    return HTML(string=_html(work_order), url_fetcher=_url_fetcher()).write_pdf()


def render_and_store(work_order: WorkOrder) -> None:
    """Render the sheet and keep it on the order as `<number>.pdf`, replacing any older file.

    Rendering takes a while, so it runs outside the transaction; the order is then locked, and rendered
    again if it changed meanwhile. The version is not bumped: the PDF is derived from the sheet, which
    may already be signed.
    """
    for attempt in range(1, RENDER_ATTEMPTS + 1):
        rendered_version = WorkOrder.objects.values_list("version", flat=True).get(pk=work_order.pk)
        content = render(work_order)
        with transaction.atomic():
            current = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
            if current.version == rendered_version or attempt == RENDER_ATTEMPTS:
                _store(current, content, rendered_version)
                break
    work_order.pdf = current.pdf
    work_order.pdf_rendered_at = current.pdf_rendered_at


def _store(work_order: WorkOrder, content: bytes, rendered_version: int) -> None:
    if work_order.pdf:
        work_order.pdf.delete(save=False)  # so the new file gets the plain name, not a suffixed one
    work_order.pdf.save(f"{work_order.number}.pdf", ContentFile(content), save=False)
    work_order.pdf_rendered_at = timezone.now()
    work_order.save(update_fields=["pdf", "pdf_rendered_at"])
    record_event(
        work_order=work_order,
        actor=None,
        kind=WorkOrderEventKind.PDF_RENDERED,
        at=work_order.pdf_rendered_at,
        data={"file": work_order.pdf.name, "version": rendered_version},
    )
