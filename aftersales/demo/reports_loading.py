"""The demo's service reports and search index.

Two contracts have a report schedule (the housing fund's monthly and quarterly, reviewed before sending; the
hospital's monthly, sent by itself). Last month's report of the housing fund is requested, generated (figures,
PDF with the CJK font, Excel), released and sent by the manager through the report services, so customer1
reads it in the portal at once. Then the daily schedule runs once, as the scheduler would have on the first of
the month: it requests the other contracts' reports, which the worker generates (and, without review, releases
and sends) as soon as `make run` starts. Last, every searchable kind is indexed again, since the old tickets
were bulk-inserted without the save signals that keep the index current.
"""

import datetime as dt

from django.db import transaction

from aftersales.accounts.models import User
from aftersales.core.time import local_date, local_zone
from aftersales.demo.clock import SimulatedClock, simulated_time
from aftersales.reports.models import ServiceReport, ServiceReportSchedule
from aftersales.reports.periods import previous_period
from aftersales.reports.services import (
    service_report_finalise,
    service_report_generate,
    service_report_request,
    service_report_send,
    service_reports_schedule,
)
from aftersales.search.indexing import reindex
from aftersales.search.registry import registrations

SCHEDULES = (
    # (contract key, monthly, quarterly, send without review, recipients by name; empty: every contact)
    ("HZGJJ-OM", True, True, False, ("马骏", "沈丽华")),
    ("CDJJ-OM", True, False, True, ()),
)


def create_reports(*, users: dict[str, User], contracts: dict, now: dt.datetime) -> ServiceReport:
    for key, monthly, quarterly, automatic, names in SCHEDULES:
        contract = contracts[key]
        schedule = ServiceReportSchedule(
            contract=contract, monthly=monthly, quarterly=quarterly, send_automatically=automatic
        )
        schedule.full_clean()
        schedule.save()
        schedule.recipients.set(contract.customer.contacts.filter(name__in=names))
    today = local_date(now)
    period = previous_period("month", today)
    morning = dt.datetime.combine(today.replace(day=1), dt.time(8, 30), tzinfo=local_zone())
    start = min(morning, now - dt.timedelta(hours=2))
    manager = users["manager"]
    with simulated_time(SimulatedClock(start)) as clock:
        report = service_report_request(
            actor=manager, contract=contracts["HZGJJ-OM"], period_kind=period.kind, period_start=period.start
        )
        clock.move_to(start + dt.timedelta(minutes=2))
        report = service_report_generate(report_id=report.pk, now=clock.current)
        clock.move_to(start + dt.timedelta(minutes=40))
        report = service_report_finalise(actor=manager, report=report)
        clock.move_to(start + dt.timedelta(minutes=42))
        report = service_report_send(actor=manager, report=report)
        clock.move_to(start + dt.timedelta(minutes=50))
        service_reports_schedule(today=today, now=clock.current)
    return report


def reindex_search() -> None:
    for registration in registrations():
        with transaction.atomic():
            reindex(registration)
