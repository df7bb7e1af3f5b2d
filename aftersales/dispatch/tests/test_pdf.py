"""The printable task sheet: a Chinese PDF with an embedded CJK font, both signatures, the log and the charges."""

import base64
import datetime as dt
import io
import re
import zoneinfo
from decimal import Decimal

import pytest
from pypdf import PdfReader

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.dispatch import pdf
from aftersales.dispatch.charges import Charges, work_order_charges
from aftersales.dispatch.choices import SignedVia, SignerRole, WorkOrderEventKind, WorkOrderKind, WorkOrderStatus
from aftersales.dispatch.models import PartUsed, Signature, WorkLogEntry, WorkOrder, WorkOrderEvent
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
DISPATCHED = dt.datetime(2026, 10, 8, 9, 30, tzinfo=BEIJING)
# A valid 1×1 PNG, the smallest signature a pad can send.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
CUSTOMER_NAME = "杭州市住房公积金管理中心"
PROBLEM = "核心数据库服务器宕机"


def make_work_order(*, entitlement="billable", kind=WorkOrderKind.ON_SITE, hourly_rate="180.00", travel_rate="200.00"):
    customer = CustomerFactory(name=CUSTOMER_NAME)
    contract = ContractFactory(customer=customer, hourly_rate=Decimal(hourly_rate), travel_rate=Decimal(travel_rate))
    ticket = TicketFactory(customer=customer, contract=contract, entitlement=entitlement)
    engineer = UserFactory(role=Role.ENGINEER, last_name="王", first_name="工")
    work_order = WorkOrder.objects.create(
        number="WO202610080001",
        ticket=ticket,
        customer=customer,
        kind=kind,
        status=WorkOrderStatus.SIGNED,
        dispatcher=UserFactory(role=Role.DISPATCHER, last_name="李", first_name="派"),
        dispatched_at=DISPATCHED,
        basis=f"服务请求 {ticket.number}，合同 {contract.number}",
        engineer=engineer,
        accept_by=DISPATCHED + dt.timedelta(minutes=15),
        accepted_at=DISPATCHED + dt.timedelta(minutes=5),
        address="杭州市西湖区文三路100号",
        contact_name="张三",
        contact_phone="13800138000",
        software_name="Oracle Database",
        software_version="19c",
        problem_description=PROBLEM,
        resolution="更换电源模块后恢复",
        started_at=DISPATCHED + dt.timedelta(hours=1),
        ended_at=DISPATCHED + dt.timedelta(hours=3, minutes=30),
        labour_hours=Decimal("2.50"),
        travel_cost=Decimal("35.50"),
    )
    WorkLogEntry.objects.create(
        work_order=work_order,
        author=engineer,
        at=DISPATCHED + dt.timedelta(hours=2),
        text="检查电源模块",
        hours=Decimal("2.50"),
    )
    PartUsed.objects.create(work_order=work_order, description="电源模块", quantity=2, unit_price=Decimal("1200.00"))
    PartUsed.objects.create(work_order=work_order, description="风扇", quantity=1, unit_price=Decimal("99.90"))
    for role, name in ((SignerRole.CUSTOMER, "张三"), (SignerRole.ENGINEER, "王工")):
        Signature.objects.create(
            work_order=work_order,
            role=role,
            signer_name=name,
            signed_at=DISPATCHED + dt.timedelta(hours=4),
            via=SignedVia.PAD,
            image_png=TINY_PNG,
        )
    return work_order


def pdf_text(content: bytes) -> str:
    """The PDF's text with all white space removed, since table cells may wrap anywhere."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def embedded_font_names(content: bytes) -> set[str]:
    """BaseFont names of every font whose descriptor carries the font program itself."""
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for candidate in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = candidate.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                    names.add(str(candidate["/BaseFont"]))
    return names


def test_work_order_charges_bills_labour_at_the_hourly_rate_travel_per_visit_and_parts():
    work_order = make_work_order()

    charges = work_order_charges(work_order)

    assert charges == Charges(
        billable=True,
        hourly_rate=Decimal("180.00"),
        labour=Decimal("450.00"),  # 2.5 h × 180
        travel=Decimal("235.50"),  # 200 per visit + 35.50 expenses
        parts=Decimal("2499.90"),  # 2 × 1200 + 99.90
        total=Decimal("3185.40"),
    )


def test_work_order_charges_rounds_labour_to_the_cent():
    work_order = make_work_order(hourly_rate="99.99")
    work_order.labour_hours = Decimal("0.25")

    charges = work_order_charges(work_order)

    assert charges.labour == Decimal("25.00")  # 24.9975 rounds half up


def test_remote_work_has_no_per_visit_charge():
    work_order = make_work_order(kind=WorkOrderKind.REMOTE)

    charges = work_order_charges(work_order)

    assert charges.travel == Decimal("35.50")
    assert charges.total == Decimal("2985.40")


@pytest.mark.parametrize("entitlement", ["warranty", "advice_only"])
def test_work_in_warranty_or_advice_only_costs_nothing(entitlement):
    work_order = make_work_order(entitlement=entitlement)

    charges = work_order_charges(work_order)

    zero = Decimal("0.00")
    assert charges == Charges(billable=False, hourly_rate=zero, labour=zero, travel=zero, parts=zero, total=zero)


def test_billable_task_sheet_is_a_chinese_pdf_with_embedded_cjk_font_signatures_and_charges():
    work_order = make_work_order()

    content = pdf.render(work_order)

    assert content.startswith(b"%PDF-")
    assert any("WenQuanYi" in name for name in embedded_font_names(content))
    text = pdf_text(content)
    assert CUSTOMER_NAME in text
    assert PROBLEM in text
    assert "用户现场维护任务书" in text
    assert "WO202610080001" in text
    assert "2026年10月8日09:30" in text  # dispatched, in Beijing time
    assert "检查电源模块" in text
    assert "电源模块" in text
    assert "费用合计3185.40元" in text
    assert "张三" in text and "王工" in text


def test_warranty_task_sheet_shows_no_charges():
    work_order = make_work_order(entitlement="warranty")

    text = pdf_text(pdf.render(work_order))

    assert CUSTOMER_NAME in text
    assert "服务费用" not in text
    assert "费用合计" not in text


def test_remote_task_sheet_has_the_remote_title_and_fields():
    work_order = make_work_order(kind=WorkOrderKind.REMOTE)
    work_order.method = "通过VPN远程登录处理"
    work_order.save(update_fields=["method"])

    text = pdf_text(pdf.render(work_order))

    assert "用户远程维护任务书" in text
    assert "任务完成方法通过VPN远程登录处理" in text
    assert PROBLEM in text


def test_the_sheet_fetches_nothing_but_data_uris():
    fetcher = pdf._url_fetcher()

    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("https://example.com/logo.png")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.fetch(f"data:image/png;base64,{base64.b64encode(TINY_PNG).decode()}").read() == TINY_PNG


def test_render_and_store_keeps_one_file_and_records_the_event_without_a_new_version():
    work_order = make_work_order()

    pdf.render_and_store(work_order)
    first_name = work_order.pdf.name
    pdf.render_and_store(work_order)

    work_order.refresh_from_db()
    assert work_order.version == 1
    assert work_order.pdf.name == first_name
    assert first_name.endswith("/WO202610080001.pdf")
    assert work_order.pdf_rendered_at is not None
    with work_order.pdf.open("rb") as stored:
        assert PROBLEM in pdf_text(stored.read())
    events = WorkOrderEvent.objects.filter(work_order=work_order)
    assert [(e.kind, e.actor_id, e.data) for e in events] == [
        (WorkOrderEventKind.PDF_RENDERED, None, {"file": first_name, "version": 1}),
        (WorkOrderEventKind.PDF_RENDERED, None, {"file": first_name, "version": 1}),
    ]
