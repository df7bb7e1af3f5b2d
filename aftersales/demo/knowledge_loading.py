"""The demo's knowledge base: articles written from solved tickets, votes, a known error and a fixed problem.

Through the knowledge services under a simulated clock: `article_from_ticket` drafts an article from a solved
ticket, `article_update` lets customers read some, `article_publish` publishes all but one draft, readers vote
with `article_feedback`. The known error (cameras losing PoE power at night) is linked to the intake's camera
tickets (closed, new and in progress) and an older camera ticket of the plan when there is one; the fixed
problem (Oracle archive logs) to the plan's archive-space tickets. The open ticket the hotline registered for
customer1's server shares its product with the power-supply article, so its knowledge card suggests it.
"""

import datetime as dt

from aftersales.accounts.models import User
from aftersales.demo import desk_catalogue as desk
from aftersales.demo.clock import SimulatedClock, simulated_time
from aftersales.knowledge.choices import ProblemStatus
from aftersales.knowledge.models import Article
from aftersales.knowledge.services import (
    article_feedback,
    article_from_ticket,
    article_publish,
    article_update,
    problem_create,
    problem_link_incident,
    problem_transition,
)
from aftersales.tickets.choices import Status
from aftersales.tickets.models import Ticket

ANSWERED = (Status.RESOLVED, Status.CONFIRMED, Status.CLOSED, Status.ARCHIVED)
CAMERA_PRODUCTS = ("hik-camera", "hik-dome", "hik-nvr")


def plan_articles_sources(intake_tickets: dict, products: dict) -> list[Ticket]:
    """Two solved tickets of the plan with one asset each, of products the intake's articles do not cover, the
    oldest first (the same tickets for the same seed)."""
    taken = {products["hw-2288h"].pk, products["hik-camera"].pk}
    mine = {ticket.pk for ticket in intake_tickets.values()}
    chosen, seen = [], set(taken)
    candidates = (
        Ticket.objects.filter(status__in=ANSWERED, resolved_at__isnull=False)
        .exclude(pk__in=mine)
        .exclude(resolution="")
        .prefetch_related("assets")
        .order_by("resolved_at", "pk")
    )
    for ticket in candidates:
        assets = list(ticket.assets.all())
        if len(assets) == 1 and assets[0].product_id not in seen:
            chosen.append(ticket)
            seen.add(assets[0].product_id)
        if len(chosen) == 2:
            break
    return chosen


def create_knowledge(*, users: dict[str, User], products: dict, intake_tickets: dict, now: dt.datetime) -> dict:
    """Articles keyed psu, camera, plan, draft; problems keyed known_error, fixed."""
    articles: dict[str, Article] = {}
    sources = plan_articles_sources(intake_tickets, products)
    with simulated_time(SimulatedClock(now - dt.timedelta(days=60))) as clock:
        fixed = _fixed_problem(users, products, clock, now)
        # The plan's solved tickets: one published for staff, one left as a draft.
        if sources:
            _advance(clock, sources[0].resolved_at + dt.timedelta(hours=20))
            articles["plan"] = _published(users["expert"], sources[0])
        if len(sources) > 1:
            _advance(clock, sources[1].resolved_at + dt.timedelta(hours=6))
            articles["draft"] = article_from_ticket(actor=users["engineer-hz2"], ticket=sources[1])
        _advance(clock, now - dt.timedelta(hours=262))
        articles["camera"] = _published(users["engineer-sz"], intake_tickets["camera_closed"], for_customers=True)
        _advance(clock, now - dt.timedelta(hours=98))
        articles["psu"] = _published(users["engineer"], intake_tickets["psu"], for_customers=True)
        known_error = _known_error(users, products, intake_tickets, clock, now)
        for index, (key, username, helped) in enumerate(desk.ARTICLE_FEEDBACK):
            if key in articles:
                _advance(clock, now - dt.timedelta(hours=18) + dt.timedelta(minutes=25 * index))
                article_feedback(actor=users[username], article=articles[key], helped=helped)
    return {"articles": articles, "problems": {"known_error": known_error, "fixed": fixed}}


def _advance(clock: SimulatedClock, moment: dt.datetime) -> None:
    clock.move_to(max(clock.current, moment))


def _published(author: User, ticket: Ticket, *, for_customers: bool = False) -> Article:
    article = article_from_ticket(actor=author, ticket=ticket)
    if for_customers:
        article = article_update(actor=author, article=article, version=article.version, visible_to_customers=True)
    return article_publish(actor=author, article=article, version=article.version)


def _fixed_problem(users, products, clock, now):
    """Recorded two months ago, linked to up to three solved archive-space tickets as they were solved, and fixed
    a fortnight ago."""
    spec = desk.PROBLEM_FIXED
    expert = users["expert"]
    problem = problem_create(
        actor=expert,
        title=spec["title"],
        description=spec["description"],
        root_cause=spec["root_cause"],
        workaround=spec["workaround"],
        products=[products["oracle-db"]],
        owner=expert,
    )
    clock.move_to(clock.current + dt.timedelta(days=1))
    problem = problem_transition(
        actor=expert, problem=problem, status=ProblemStatus.KNOWN_ERROR, version=problem.version
    )
    fixed_at = now - dt.timedelta(days=15)
    incidents = Ticket.objects.filter(
        title__contains=desk.FIXED_PROBLEM_TITLES, status__in=ANSWERED, resolved_at__lt=fixed_at
    ).order_by("-resolved_at", "-pk")[:3]
    for ticket in sorted(incidents, key=lambda ticket: (ticket.resolved_at, ticket.pk)):
        _advance(clock, ticket.resolved_at + dt.timedelta(hours=2))
        problem_link_incident(actor=expert, problem=problem, ticket=ticket)
    _advance(clock, fixed_at)
    return problem_transition(
        actor=expert, problem=problem, status=ProblemStatus.FIXED, version=problem.version, fix=spec["fix"]
    )


def _known_error(users, products, intake_tickets, clock, now):
    """Recorded the day the camera alert came back; linked to its tickets and to an older camera ticket."""
    spec = desk.PROBLEM_KNOWN_ERROR
    owner, manager = users["engineer-sz"], users["manager"]
    _advance(clock, now - dt.timedelta(hours=20))
    problem = problem_create(
        actor=manager,
        title=spec["title"],
        description=spec["description"],
        root_cause=spec["root_cause"],
        workaround=spec["workaround"],
        products=[products["hik-camera"], products["hik-dome"]],
        owner=owner,
    )
    clock.move_to(clock.current + dt.timedelta(minutes=10))
    problem = problem_transition(
        actor=owner, problem=problem, status=ProblemStatus.KNOWN_ERROR, version=problem.version
    )
    linked = [intake_tickets["camera_closed"], intake_tickets["camera_again"], intake_tickets["dome"]]
    statuses = {ticket.status for ticket in linked}
    older = (
        Ticket.objects.filter(assets__product__in=[products[key] for key in CAMERA_PRODUCTS])
        .exclude(pk__in=[ticket.pk for ticket in linked])
        .exclude(status__in=statuses)
        .distinct()
        .order_by("received_at", "pk")
        .first()
    )
    if older is not None:
        linked.append(older)
    for ticket in linked:
        clock.move_to(clock.current + dt.timedelta(minutes=3))
        problem_link_incident(actor=owner, problem=problem, ticket=ticket)
    return problem
