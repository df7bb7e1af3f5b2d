"""The service report's files: a Chinese PDF with the CJK font embedded, the customer's name, the compliance
figures and the charts; an Excel file with the rows underneath (tickets, replayed clocks, breaches, work orders)."""

import datetime as dt
import io

import pypdf
import pytest

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.reports import charts
from aftersales.reports.models import ServiceReport
from aftersales.reports.services import service_report_generate, service_report_request
from aftersales.reports.tests import service_report_fixtures as fixtures
from aftersales.reports.tests.xlsx_reader import sheets

pytestmark = pytest.mark.django_db

NOW, beijing = fixtures.NOW, fixtures.beijing
clock, october = fixtures.clock, fixtures.october


@pytest.fixture
def generated(october, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():  # the worker would generate it; here the test does
        report = service_report_request(
            actor=UserFactory(role=Role.MANAGER),
            contract=october["contract"],
            period_kind="month",
            period_start=dt.date(2026, 10, 1),
        )
    return service_report_generate(report_id=report.pk, now=NOW)


def embedded_font_names(content: bytes) -> set[str]:
    """BaseFont names of every font whose descriptor carries the font program itself."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for candidate in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = candidate.get("/FontDescriptor")
                if descriptor is not None and any(
                    key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    names.add(str(candidate["/BaseFont"]))
    return names


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_is_chinese_with_the_cjk_font_embedded_the_customer_and_the_compliance_figures(generated):
    content = generated.pdf.read()

    assert content.startswith(b"%PDF-")
    assert any("WenQuanYi" in name for name in embedded_font_names(content))
    text = pdf_text(content)
    assert "售后服务工作报告" in text and "杭州市公安局" in text and "HT-2026-0088" in text
    # The compliance table: response 5 counted, 4 met, 1 breached, 80.0 %; resolution 50.0 %; all 66.7 %.
    assert "响应 5 4 1 0 80.0%" in text
    assert "50.0%" in text and "合计 10 6 3 1 66.7%" in text
    assert "等客户确认停机窗口" in text  # the pause's reason explains the breach
    assert "90.054%" in text  # availability of the systems
    assert generated.pdf.name.endswith("service-report-HT-2026-0088-2026-10-v1.pdf")


def test_the_charts_are_svg_images_embedded_in_the_pdf(generated):
    content = generated.pdf.read()

    images = [
        image
        for page in pypdf.PdfReader(io.BytesIO(content)).pages
        for image in page["/Resources"].get("/XObject", {}).values()
    ]
    assert len(images) >= 3  # requests by kind, promises met, availability


def test_a_chart_escapes_its_labels_and_scales_its_bars():
    svg = charts.bar_chart([("<script>", 4), ("交换机", 2)])

    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'width="360.0"' in svg and 'width="180.0"' in svg  # 4 fills the span, 2 half of it
    assert charts.data_uri(svg).startswith("data:image/svg+xml;base64,")


def test_the_excel_file_has_the_rows_under_the_figures(generated, october):
    workbook = sheets(generated.xlsx.read())

    summary, tickets, clocks, breaches, orders, outages = workbook.values()
    assert len(workbook) == 6
    numbers = [october[name].number for name in ("met", "late", "paused_met", "paused_breached", "still_paused")]
    assert [row[0] for row in tickets[1:]] == numbers
    # Two customer clocks a ticket (response, resolution), each as the SLA engine replays it.
    assert len(clocks) == 1 + 10
    late_rows = [row for row in clocks[1:] if row[0] == october["late"].number]
    assert [(row[3], row[4]) for row in late_rows] == [(5.0, 270.0), (240.0, 330.0)]
    assert [(row[0], row[7]) for row in breaches[1:]] == [
        (october["late"].number, 265.0),
        (october["late"].number, 90.0),
        (october["paused_breached"].number, 960.0),
    ]
    assert breaches[3][8] == 300.0 and "等客户确认停机窗口" in breaches[3][9]
    assert len(orders) == 1  # no work order this month: the header only
    assert outages[-1][2:5] == [4.0, 74 * 60.0, 90.054]
    assert (summary[1][1], summary[2][1], summary[7][1]) == ("杭州市公安局", "HT-2026-0088 运维服务合同", 5.0)


def test_a_released_report_keeps_its_figures_and_files_when_the_tickets_change(generated, october, clock):
    from aftersales.reports.services import service_report_finalise

    manager = UserFactory(role=Role.MANAGER)
    service_report_finalise(actor=manager, report=generated)
    before = ServiceReport.objects.get(pk=generated.pk)
    clock.at(beijing(11, 2, 11))
    october["desk"].act(october["still_paused"], beijing(11, 2, 11), "resume")

    after = ServiceReport.objects.get(pk=generated.pk)
    assert (after.figures, after.pdf.name, after.xlsx.name, after.status) == (
        before.figures,
        before.pdf.name,
        before.xlsx.name,
        "final",
    )


@pytest.fixture
def hostile_report():
    """A report whose customer, contract, complaint and recommendations carry markup and a quote."""
    from aftersales.contracts.tests.factories import ContractFactory
    from aftersales.reports.periods import month_of
    from aftersales.reports.service_report.figures import compute_figures
    from aftersales.tickets.tests.factories import TicketFactory

    contract = ContractFactory(number='HT-"A&B"-1', customer__name="甲&乙<b>单位</b>")
    TicketFactory(
        customer=contract.customer,
        contract=contract,
        kind="complaint",
        title='投诉<img src="file:///etc/passwd">',
        received_at=dt.datetime(2026, 9, 3, 9, tzinfo=fixtures.BEIJING),
    )
    period = month_of(dt.date(2026, 9, 1))
    return ServiceReport.objects.create(
        customer=contract.customer,
        contract=contract,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        figures=compute_figures(customer=contract.customer, contract=contract, period=period, now=NOW),
        recommendations='• 建议<link rel="stylesheet" href="http://127.0.0.1:9/x.css">巡检',
    )


def test_the_pdf_fetches_nothing_and_prints_typed_markup_as_text(hostile_report, monkeypatch):
    from weasyprint.urls import URLFetcher

    from aftersales.reports import pdf

    fetched = []
    fetch = URLFetcher.fetch
    monkeypatch.setattr(URLFetcher, "fetch", lambda self, url, headers=None: fetched.append(url) or fetch(self, url))

    content = pdf.render(hostile_report)
    text = pdf_text(content)

    assert all(url.startswith("data:image/svg+xml;base64,") for url in fetched)  # only the charts drawn here
    assert '投诉<img src="file:///etc/passwd">' in text.replace("\n", "")
    assert "甲&乙<b>单位</b>" in text and "&amp;" not in text and "&quot;" not in text
    # The footer names the contract as typed: the text is not written into the style sheet, where a quote or a
    # brace would end the string and an ampersand stayed "&amp;".
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]
    assert all('HT-"A&B"-1 · 2026年9月 · 第 1 版' in page for page in pages)
