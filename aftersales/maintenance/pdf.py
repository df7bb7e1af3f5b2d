"""The training sign-in sheet (培训签到表) as a Chinese PDF: the session, the trainer's signature (讲课人签字)
and a row per attendee with their signature (被培训人员签字), or an empty box to sign on paper.

Rendered on request (it changes as attendees sign in); the CJK font is "WenQuanYi Zen Hei", embedded."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from aftersales.core.images import png_data_uri
from aftersales.core.time import local_zone
from aftersales.maintenance.models import TrainingSession

TEMPLATE = "maintenance/signin_sheet_pdf.html"
# Rows printed for people who come without being listed, to sign on paper.
EXTRA_BLANK_ROWS = 5


def _url_fetcher():
    """Only data: URIs (the signature images): the sheet never fetches anything from the network or disk."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def _html(session: TrainingSession) -> str:
    attendees = [
        {"attendee": attendee, "signature": png_data_uri(attendee.signature_png)}
        for attendee in session.attendees.all()
    ]
    context = {
        "session": session,
        "trainer": str(session.trainer) if session.trainer_id else session.trainer_name,
        "trainer_signature": png_data_uri(session.trainer_signature_png),
        "attendees": attendees,
        "blank_rows": range(len(attendees) + 1, len(attendees) + 1 + EXTRA_BLANK_ROWS),
    }
    # The paper form is Chinese; dates follow it, in the installation's zone.
    with translation.override("zh-hans"), timezone.override(local_zone()):
        return render_to_string(TEMPLATE, context)


def render_signin_sheet(session: TrainingSession) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango and fonts

    session = (
        TrainingSession.objects.select_related("customer", "trainer").prefetch_related("attendees").get(pk=session.pk)
    )
    return HTML(string=_html(session), url_fetcher=_url_fetcher()).write_pdf()
