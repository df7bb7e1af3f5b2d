"""The service report as a Chinese PDF (售后服务工作报告) for the customer's project lead, by WeasyPrint.

Like the task sheet (`dispatch/pdf.py`), the document is Chinese whatever the reader's language: its headings are
written in Chinese in the template, the choice labels and durations are rendered under zh-hans, and the CJK
glyphs come from "WenQuanYi Zen Hei" (fonts-wqy-zenhei), embedded (subset) in the file. The charts are SVG drawn
in Python (`charts.py`) and embedded as data: URIs; nothing is fetched from the network or the disk.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from aftersales.core.time import local_zone
from aftersales.reports import charts
from aftersales.reports.models import ServiceReport
from aftersales.reports.service_report.presentation import present
from aftersales.reports.service_report.recommendations import AVAILABILITY_EXPECTED, COMPLIANCE_EXPECTED

TEMPLATE = "reports/service_report_pdf.html"
LANGUAGE = "zh-hans"
MOMENTS = {
    "started": "开始计时",
    "paused": "暂停计时",
    "resumed": "恢复计时",
    "breached": "超出时限",
    "met": "完成",
    "stopped": "停止计时",
}
SCORES = {
    "score_overall": "总体满意度",
    "score_response_speed": "响应速度",
    "score_professionalism": "专业水平",
    "score_attitude": "服务态度",
}
NOT_RECORDED = "工单未登记设备"
CHARTED_SYSTEMS = 12


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def chart_images(shown: dict) -> dict[str, str]:
    """The report's charts as image sources: requests by kind, promises met, availability of each system."""
    images = {}
    if shown["tickets"]["by_kind"]:
        images["kinds"] = charts.data_uri(
            charts.bar_chart([(row["label"], row["count"]) for row in shown["tickets"]["by_kind"]])
        )
    if shown["sla"]["by_clock"]:
        images["compliance"] = charts.data_uri(
            charts.percent_chart(
                [(row["clock_label"], row["percent"]) for row in shown["sla"]["by_clock"]],
                expected=COMPLIANCE_EXPECTED,
            )
        )
    systems = shown["availability"]["systems"][:CHARTED_SYSTEMS]
    if systems:
        images["availability"] = charts.data_uri(
            charts.percent_chart(
                [(system["name"] or NOT_RECORDED, system["availability"]) for system in systems],
                expected=AVAILABILITY_EXPECTED,
            )
        )
    return images


def html(report: ServiceReport) -> str:
    with translation.override(LANGUAGE), timezone.override(local_zone()):
        shown = present(report.figures)
        for breach in shown["breaches"]:
            for moment in breach["moments"]:
                moment["what_label"] = MOMENTS[moment["what"]]
        for row in shown["satisfaction"]["score_rows"]:
            row["label"] = SCORES[row["name"]]
        context = {
            "report": report,
            "figures": shown,
            "period_label": shown["period_object"].chinese_label,
            "charts": chart_images(shown),
            "not_recorded": NOT_RECORDED,
            "compliance_expected": COMPLIANCE_EXPECTED,
            "rendered_at": timezone.now(),
        }
        return render_to_string(TEMPLATE, context)


def render(report: ServiceReport) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango and fonts, which only the worker needs

    return HTML(string=html(report), url_fetcher=_url_fetcher()).write_pdf()
