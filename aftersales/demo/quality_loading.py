"""The demo's quality loop: who complaints go to, follow-up rules, months of answered follow-ups, a re-service
loop, two complaints and QC reviews.

Through the quality services under simulated clocks: the rules are saved through their form (`rule_save`),
`follow_ups_plan` plans the follow-ups of the last months' resolved tickets (with a longer horizon than the
scheduler's, as if it had run all along), quality controllers record calls (`follow_up_record`), customers
answer survey links (`survey_link_send` + `survey_answer`) and the portal. One customer is unhappy twice with a
repair and satisfied the third time (each low score opens a re-service ticket the engineer works again). One
complaint is registered, worked and closed with its cause and corrective action; another is waiting. Finally
the QC sample is drawn and the first reviews recorded.
"""

import datetime as dt
import random

from django.test import override_settings

from aftersales.accounts.models import User
from aftersales.demo import desk_catalogue as desk
from aftersales.demo.clock import SimulatedClock, simulated_time
from aftersales.quality.choices import FollowUpStatus, Method, Outcome
from aftersales.quality.forms import FollowUpRuleForm
from aftersales.quality.models import FollowUp, FollowUpRule, ManagementContact, QcReview, default_kinds
from aftersales.quality.services.complaints import complaint_register
from aftersales.quality.services.follow_ups import (
    ANSWERED,
    follow_up_answer_in_portal,
    follow_up_record,
    follow_ups_plan,
)
from aftersales.quality.services.reviews import qc_review_record, qc_sample
from aftersales.quality.services.rules import rule_save
from aftersales.quality.services.surveys import survey_answer, survey_link_send
from aftersales.tickets.choices import Kind, ResolutionMethod, Status
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_assign, ticket_transition

SCORE_CHOICES = (5, 5, 5, 4, 4, 4, 3)
SCRIPT_ANSWERS = {"problem_solved": "yes", "engineer_on_time": "yes", "explained_clearly": "yes"}


def create_quality_setup(*, users: dict[str, User], contracts: dict, now: dt.datetime) -> None:
    """The named complaint contacts and the follow-up rules, as a manager set them up long ago."""
    manager = users["manager"]
    with simulated_time(SimulatedClock(now - dt.timedelta(days=200))):
        for username, position in desk.MANAGEMENT:
            contact = ManagementContact(user=users[username], position=position)
            contact.full_clean()
            contact.save()
        for values in (desk.DEFAULT_RULE, desk.CONTRACT_RULE):
            instance = FollowUpRule(contract=contracts[values["contract"]] if "contract" in values else None)
            data = {
                "enabled": "on",
                "kinds": default_kinds(),
                **{name: value for name, value in values.items() if name != "contract"},
            }
            form = FollowUpRuleForm(data=data, instance=instance)
            if not form.is_valid():
                raise RuntimeError(f"Demo follow-up rule refused: {form.errors.as_json()}")
            rule_save(actor=manager, form=form)


def create_quality(*, users: dict[str, User], customers: dict, now: dt.datetime, seed: int) -> dict:
    rng = random.Random(f"quality:{seed}")  # noqa: S311 - reproducible demo data
    complaints = _complaints(users, customers, now)
    with override_settings(AFTERSALES_FOLLOW_UP_HORIZON_DAYS=desk.FOLLOW_UP_DAYS):
        follow_ups_plan(now=now)
    chain_start = _chain_original(customers["HZGJJ"], now)
    _answer(users, rng, now, exclude=chain_start)
    chain = _reservice_loop(users, chain_start, now) if chain_start else []
    qc_sample(now=now)
    _review(users, now)
    return {"complaints": complaints, "chain": chain}


# Complaints -------------------------------------------------------------------------------------------------------


def _complaints(users, customers, now):
    closed_spec, open_spec = desk.COMPLAINT_CLOSED, desk.COMPLAINT_OPEN
    customer = customers[closed_spec["customer"]]
    registered = now - dt.timedelta(days=13)
    earlier = (
        Ticket.objects.filter(
            customer=customer, assignee=users["engineer"], status__in=(Status.CLOSED, Status.ARCHIVED)
        )
        .filter(closed_at__lt=registered)
        .order_by("-closed_at", "-pk")
        .first()
    )
    contact = customer.contacts.get(name=closed_spec["contact"])
    with simulated_time(SimulatedClock(registered)) as clock:
        closed = complaint_register(
            actor=users["agent"],
            customer=customer,
            title=closed_spec["title"],
            description=closed_spec["description"],
            contact_name=contact.name,
            contact_phone=contact.phone,
            site=contact.site,
            related_tickets=[earlier] if earlier else [],
            people=[users[name] for name in closed_spec["people"]],
        )
        ticket = closed.ticket
        clock.move_to(registered + dt.timedelta(minutes=15))
        ticket = ticket_assign(
            actor=users["dispatcher"], ticket=ticket, version=ticket.version, assignee=users["engineer-hz2"]
        )
        clock.move_to(registered + dt.timedelta(minutes=25))
        ticket = ticket_transition(actor=users["engineer-hz2"], ticket=ticket, version=ticket.version, action="accept")
        clock.move_to(registered + dt.timedelta(hours=26))
        ticket = ticket_transition(
            actor=users["engineer-hz2"],
            ticket=ticket,
            version=ticket.version,
            action="resolve",
            resolution=closed_spec["resolution"],
            resolution_method=ResolutionMethod.ON_SITE,
            root_cause=closed_spec["root_cause"],
            corrective_action=closed_spec["corrective_action"],
        )
        clock.move_to(registered + dt.timedelta(days=3))
        ticket_transition(
            actor=users["manager"],
            ticket=ticket,
            version=ticket.version,
            action="close",
            note="复盘会已开，整改措施已落实。",
            root_cause=closed_spec["root_cause"],
            corrective_action=closed_spec["corrective_action"],
        )
    customer = customers[open_spec["customer"]]
    contact = customer.contacts.get(name=open_spec["contact"])
    related = Ticket.objects.filter(customer=customer, title__contains=open_spec["related_title"]).order_by("pk")
    with simulated_time(SimulatedClock(now - dt.timedelta(minutes=35))):
        waiting = complaint_register(
            actor=users["agent"],
            customer=customer,
            title=open_spec["title"],
            description=open_spec["description"],
            contact_name=contact.name,
            contact_phone=contact.phone,
            site=contact.site,
            related_tickets=list(related[:1]),
            people=[users[name] for name in open_spec["people"]],
        )
    return {"closed": closed, "waiting": waiting}


# Follow-ups -------------------------------------------------------------------------------------------------------


def _chain_original(customer, now) -> Ticket | None:
    """A ticket of the contract whose rule sends a survey link first, resolved some days ago: one the sample took,
    else one it left out (a quality controller may follow up any ticket; the sample hangs on ticket ids)."""
    candidates = (
        FollowUp.objects.filter(
            ticket__customer=customer,
            status__in=(FollowUpStatus.PENDING, FollowUpStatus.NOT_SAMPLED),
            method=Method.SURVEY_LINK,
            ticket__resolved_at__gte=now - dt.timedelta(days=25),
            ticket__resolved_at__lte=now - dt.timedelta(days=3),
            ticket__assignee__isnull=False,
        )
        .select_related("ticket")
        .order_by("ticket__resolved_at", "pk")
    )
    chosen = sorted(candidates, key=lambda follow_up: follow_up.status != FollowUpStatus.PENDING)
    return chosen[0].ticket if chosen else None


def _answer(users, rng: random.Random, now: dt.datetime, *, exclude: Ticket | None) -> None:
    """Most due follow-ups are answered a few hours to a day after they fall due; some are still to do."""
    due = (
        FollowUp.objects.filter(status=FollowUpStatus.PENDING, due_at__lte=now - dt.timedelta(hours=12))
        .exclude(ticket=exclude)
        .select_related("ticket")
        .order_by("due_at", "pk")
    )
    answers = []
    portal_done = False
    for follow_up in due:
        draw = rng.random()
        at = min(follow_up.due_at + dt.timedelta(hours=rng.uniform(1, 30)), now - dt.timedelta(minutes=30))
        scores = {
            "score_overall": rng.choice(SCORE_CHOICES),
            "score_response_speed": rng.choice(SCORE_CHOICES),
            "score_professionalism": rng.choice(SCORE_CHOICES[:-1]),
            "score_attitude": rng.choice(SCORE_CHOICES[:-1]),
        }
        comment = rng.choice(desk.SATISFIED_COMMENTS)
        if draw < 0.12:
            continue  # still on the worklist
        if follow_up.ticket.customer.code == "HZGJJ" and not portal_done:
            how, portal_done = "portal", True
        elif draw < 0.2:
            how = "unreachable"
        elif follow_up.method == Method.SURVEY_LINK:
            how = "survey"
        else:
            how = "phone"
        answers.append((at, follow_up.pk, follow_up, how, scores, comment))
    answers.sort(key=lambda answer: answer[:2])
    if not answers:
        return
    qc, customer1 = users["qc"], users["customer1"]
    with simulated_time(SimulatedClock(answers[0][0] - dt.timedelta(hours=1))) as clock:
        for at, _pk, follow_up, how, scores, comment in answers:
            if how == "survey":
                clock.move_to(max(clock.current, at - dt.timedelta(minutes=40)))
                token = survey_link_send(actor=qc, follow_up=follow_up)
                clock.move_to(max(clock.current, at))
                survey_answer(token=token, scores=scores, comment=comment)
                continue
            clock.move_to(max(clock.current, at))
            if how == "portal":
                follow_up_answer_in_portal(
                    actor=customer1, follow_up=follow_up, scores=scores, comment=desk.PORTAL_COMMENT
                )
            elif how == "unreachable":
                follow_up_record(actor=qc, follow_up=follow_up, method=Method.PHONE, outcome=Outcome.UNREACHABLE)
            else:
                follow_up_record(
                    actor=qc,
                    follow_up=follow_up,
                    method=Method.PHONE,
                    outcome=ANSWERED,
                    scores=scores,
                    comment=comment,
                    script_answers=SCRIPT_ANSWERS,
                )


def _reservice_loop(users, original: Ticket, now: dt.datetime) -> list[Ticket]:
    """Unhappy twice through the survey link, each time a re-service ticket; satisfied the third time."""
    last_event = original.events.order_by("-at").values_list("at", flat=True).first()
    follow_up = FollowUp.objects.get(ticket=original)
    start = max(follow_up.due_at, last_event) + dt.timedelta(hours=1)
    chain = [original]
    rounds = ((desk.LOW_SCORES, desk.LOW_COMMENT), (desk.STILL_LOW_SCORES, desk.STILL_LOW_COMMENT))
    with simulated_time(SimulatedClock(start)) as clock:
        for scores, comment in (*rounds, (desk.HAPPY_SCORES, desk.HAPPY_COMMENT)):
            clock.move_to(max(clock.current, follow_up.due_at) + dt.timedelta(minutes=30))
            token = survey_link_send(actor=users["qc"], follow_up=follow_up)
            clock.move_to(clock.current + dt.timedelta(hours=3))
            follow_up = survey_answer(token=token, scores=scores, comment=comment)
            if follow_up.outcome != Outcome.DISSATISFIED:
                break
            reservice = Ticket.objects.get(pk=follow_up.reservice_ticket_id)
            engineer = reservice.assignee
            if engineer is None:
                clock.move_to(clock.current + dt.timedelta(minutes=20))
                engineer = User.objects.get(pk=original.assignee_id)
                reservice = ticket_assign(
                    actor=users["dispatcher"], ticket=reservice, version=reservice.version, assignee=engineer
                )
            clock.move_to(clock.current + dt.timedelta(minutes=40))
            reservice = ticket_transition(actor=engineer, ticket=reservice, version=reservice.version, action="accept")
            clock.move_to(clock.current + dt.timedelta(hours=5))
            reservice = ticket_transition(
                actor=engineer, ticket=reservice, version=reservice.version, action="resolve", **desk.RESERVICE_FIX
            )
            chain.append(reservice)
            follow_ups_plan(now=clock.current)
            follow_up = FollowUp.objects.get(ticket=reservice)
    if clock.current > now:
        raise RuntimeError("The demo's re-service loop ran past the present.")
    return chain


# QC reviews -------------------------------------------------------------------------------------------------------


def _review(users, now: dt.datetime) -> None:
    reviews = QcReview.objects.filter(reviewed_at__isnull=True).exclude(ticket__kind=Kind.COMPLAINT)
    chosen = list(reviews.order_by("ticket__closed_at", "pk")[: len(desk.QC_REVIEWS)])
    start = now - dt.timedelta(hours=3)
    with simulated_time(SimulatedClock(start)) as clock:
        for index, (review, (response, service, score, comment)) in enumerate(
            zip(chosen, desk.QC_REVIEWS, strict=False)
        ):
            clock.move_to(start + dt.timedelta(minutes=25 * index))
            qc_review_record(
                actor=users["qc"],
                review=review,
                response_quality=response,
                service_quality=service,
                score=score,
                comment=comment,
            )
