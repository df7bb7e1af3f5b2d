"""What the quality tests share: people, a resolved ticket made through the ticket services, scores."""

import datetime as dt

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.tickets.choices import Channel, Kind
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_assign, ticket_create, ticket_transition

LOW = {"score_overall": 2, "score_response_speed": 4, "score_professionalism": 4, "score_attitude": 4}
HAPPY = {"score_overall": 5, "score_response_speed": 4, "score_professionalism": 5, "score_attitude": 5}


def people():
    return {
        "agent": UserFactory(role=Role.AGENT),
        "engineer": UserFactory(role=Role.ENGINEER),
        "quality": UserFactory(role=Role.QUALITY),
        "manager": UserFactory(role=Role.MANAGER, phone="+8613700000001"),
        "dispatcher": UserFactory(role=Role.DISPATCHER),
    }


def logged(*, agent, customer, kind=Kind.GENERAL_FAULT, **overrides) -> Ticket:
    values = {
        "actor": agent,
        "customer": customer,
        "title": "打印机卡纸",
        "description": "三楼打印机频繁卡纸。",
        "contact_name": "王五",
        "contact_phone": "+8613900139000",
        "kind": kind,
        "channel": Channel.PHONE,
    }
    return ticket_create(**{**values, **overrides})


def work_to_resolved(ticket: Ticket, *, agent, engineer, **resolve) -> Ticket:
    if ticket.assignee_id is None:
        ticket = ticket_assign(actor=agent, ticket=ticket, assignee=engineer, version=ticket.version)
    ticket = ticket_transition(actor=engineer, ticket=ticket, action="accept", version=ticket.version)
    values = {"resolution": "清理搓纸轮", "resolution_method": "on_site", **resolve}
    return ticket_transition(actor=engineer, ticket=ticket, action="resolve", version=ticket.version, **values)


def resolved(*, agent, engineer, customer, **overrides) -> Ticket:
    return work_to_resolved(logged(agent=agent, customer=customer, **overrides), agent=agent, engineer=engineer)


def close(ticket: Ticket, *, supervisor, **extra) -> Ticket:
    ticket.refresh_from_db()
    return ticket_transition(actor=supervisor, ticket=ticket, action="close", version=ticket.version, **extra)


def later(hours: float) -> dt.timedelta:
    return dt.timedelta(hours=hours)
