"""Test factories for field service."""

import base64
import datetime as dt
import struct
import zlib

import factory
from django.utils import timezone

from aftersales.accounts.models import EngineerProfile
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.dispatch.models import WorkOrder
from aftersales.tickets.tests.factories import TicketFactory


def png_bytes(width: int = 40, height: int = 20) -> bytes:
    """A real (tiny, grey) PNG, as a signature pad would send."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def signature_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes()).decode()


class EngineerFactory(UserFactory):
    role = Role.ENGINEER
    first_name = "工"
    last_name = factory.Sequence(lambda n: f"程{n}")
    phone = "+8613900139000"


class EngineerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngineerProfile

    user = factory.SubFactory(EngineerFactory)
    home_city = "杭州市"
    home_latitude = "30.274100"
    home_longitude = "120.155100"


class WorkOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkOrder

    number = factory.Sequence(lambda n: f"WO20260101{n:04d}-1")
    ticket = factory.SubFactory(TicketFactory)
    customer = factory.SelfAttribute("ticket.customer")
    kind = "on_site"
    dispatcher = factory.SubFactory(UserFactory, role=Role.DISPATCHER)
    dispatched_at = factory.LazyFunction(timezone.now)
    basis = "工单派单"
    engineer = factory.SubFactory(EngineerFactory)
    accept_by = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=15))
    problem_description = "服务器无法开机"
    address = "浙江省杭州市西湖区文三路100号"
    contact_name = "张三"
    contact_phone = "+8613800138000"
