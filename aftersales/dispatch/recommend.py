"""Which engineer to send on site: a ranked list, with the reasons for each rank.

`rank` is pure (no database): it weighs engineers (`Candidate`) against a job (`Job`). The order is
lexicographic, so every place in it can be explained by the first thing that differs:

1. qualified: holds every skill asked for, or a valid certification for the vendor and product of each
   of the ticket's assets (a certification without products covers all of its vendor's products);
2. available: on duty by the roster or not off duty, and below the number of jobs they can carry.
   Engineers who are off duty or fully booked stay on the list, below those who are not, because a
   dispatcher may still call them in;
3. the arrival target: arriving before it, then no target to compare with, then arriving late;
4. on the duty roster now;
5. travel time: straight-line (haversine) distance from the last check-in, else from home base, at
   the travel speed of the engineer's region (the installation's default without a region);
6. current load (active work orders);
7. user id, so equal engineers keep one order.

`recommend_for_ticket` reads the engineers of a ticket in a constant number of queries and ranks them;
`best_engineer` is the one Aftersales picks when the dispatcher lets it.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext, gettext_noop

from aftersales.accounts.models import EngineerProfile, EngineerStatus, is_cjk
from aftersales.accounts.roles import ROLE_PERMISSIONS, WORK
from aftersales.accounts.selectors import on_duty
from aftersales.core.time import local_date
from aftersales.dispatch.models import Certification, WorkOrder
from aftersales.dispatch.transitions import ACTIVE_STATUSES
from aftersales.sla.choices import Clock, ClockStatus
from aftersales.tickets.models import Ticket

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
# Roles whose users may work tickets; of them, those with an engineer profile go on site.
WORKING_ROLES = frozenset(role for role, permissions in ROLE_PERMISSIONS.items() if WORK in permissions)

# The sentences of a recommendation, translated when shown (each user reads them in their own language).
NOTHING_TO_MATCH = gettext_noop("The ticket asks for no skill or certification")
HAS_SKILLS = gettext_noop("Has the skills asked for: %(skills)s")
LACKS_SKILLS = gettext_noop("Lacks the skills asked for: %(skills)s")
CERTIFIED = gettext_noop("Certified for %(vendor)s until %(date)s")
CERTIFIED_FOR_OTHER_PRODUCTS = gettext_noop("Certified for other %(vendor)s products only")
CERTIFICATION_EXPIRED = gettext_noop("Certification for %(vendor)s expired on %(date)s")
NOT_CERTIFIED = gettext_noop("No certification for %(vendor)s")
ON_DUTY = gettext_noop("On duty now")
OFF_DUTY = gettext_noop("Off duty")
AVAILABLE = gettext_noop("Available")
BUSY_SENTENCES = {
    EngineerStatus.TRAVELLING: gettext_noop("Travelling to another job"),
    EngineerStatus.ON_SITE: gettext_noop("On site at another job"),
}
AWAY_FROM_CHECK_IN = gettext_noop("%(km)s km from the last check-in, about %(minutes)s min on the road")
AWAY_FROM_HOME = gettext_noop("%(km)s km from home base in %(city)s, about %(minutes)s min on the road")
SITE_WITHOUT_POSITION = gettext_noop("The site has no coordinates, so the travel time is unknown")
ARRIVES_IN_TIME = gettext_noop("Arrives %(minutes)s min before the arrival target")
ARRIVES_LATE = gettext_noop("Would arrive %(minutes)s min after the arrival target")
LOAD = gettext_noop("Carries %(load)s of %(max)s jobs")
FULLY_BOOKED = gettext_noop("Fully booked: carries %(load)s of %(max)s jobs")

# Arriving in time first, then not knowing (no target or no site position), then arriving late.
ARRIVAL_ORDER = {True: 0, None: 1, False: 2}


class Reason(NamedTuple):  # a tuple: ranking 300 engineers builds ~1,800 of them
    """One sentence of why an engineer ranks where they do; `favourable` is None when it is neither."""

    message: str
    values: Mapping[str, object] | None = None
    favourable: bool | None = None

    def __str__(self) -> str:
        return gettext(self.message) % self.values if self.values else gettext(self.message)


@dataclass(frozen=True)
class Certificate:
    vendor_id: int
    valid_until: dt.date
    product_ids: frozenset[int] = frozenset()  # empty: every product of the vendor

    def covers(self, vendor_id: int, product_id: int) -> bool:
        return self.vendor_id == vendor_id and (not self.product_ids or product_id in self.product_ids)


@dataclass(frozen=True)
class Candidate:
    """An engineer as ranking sees them."""

    user_id: int
    name: str
    position: tuple[float, float]  # (latitude, longitude)
    speed_kmh: float
    tier: str = ""
    status: str = EngineerStatus.AVAILABLE
    from_check_in: bool = False  # the position is the last check-in, not home base
    home_city: str = ""
    skills: frozenset[str] = frozenset()
    certificates: tuple[Certificate, ...] = ()
    load: int = 0
    max_jobs: int = 3
    on_duty: bool = False  # on the duty roster now


@dataclass(frozen=True)
class Job:
    """What a ticket needs: where, for which equipment, with which skills, by when."""

    site: tuple[float, float] | None
    assets: tuple[tuple[int, int], ...] = ()  # (vendor id, product id) of each asset
    vendor_names: Mapping[int, str] = field(default_factory=dict)
    skills: frozenset[str] = frozenset()
    arrival_due_at: dt.datetime | None = None

    @cached_property
    def vendor_ids(self) -> list[int]:
        return sorted({vendor_id for vendor_id, _product_id in self.assets})


@dataclass(slots=True)
class Recommendation:
    """One engineer's place in the list for a job, with the facts and the sentences that explain it."""

    engineer_id: int
    name: str
    tier: str
    status: str
    qualified: bool
    available: bool
    on_duty: bool
    load: int
    max_jobs: int
    distance_km: float | None
    travel_minutes: int | None
    arrives_at: dt.datetime | None
    meets_arrival: bool | None
    reasons: list[Reason]
    score: tuple = ()  # the sort key, compared item by item in the order the module docstring gives
    rank: int = 0  # 1 for the best


def distance_km(origin: tuple[float, float], destination: tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two (latitude, longitude) points in degrees."""
    latitude_1, longitude_1 = map(math.radians, origin)
    latitude_2, longitude_2 = map(math.radians, destination)
    half_chord = (
        math.sin((latitude_2 - latitude_1) / 2) ** 2
        + math.cos(latitude_1) * math.cos(latitude_2) * math.sin((longitude_2 - longitude_1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(half_chord))


def travel_minutes(distance: float, speed_kmh: float) -> int:
    """Whole minutes on the road, rounded up."""
    return math.ceil(distance / speed_kmh * 60)


def _minutes(delta: dt.timedelta) -> int:
    return math.floor(delta.total_seconds() / 60)


def _qualification(candidate: Candidate, job: Job, today: dt.date) -> tuple[bool, list[Reason]]:
    """Whether the engineer may take the job, by skills or by certifications, and why."""
    reasons = []
    by_skills = by_certificates = False
    if job.skills:
        missing = job.skills - candidate.skills
        by_skills = not missing
        if by_skills:
            reasons.append(Reason(HAS_SKILLS, {"skills": ", ".join(sorted(job.skills))}, True))
        else:
            reasons.append(Reason(LACKS_SKILLS, {"skills": ", ".join(sorted(missing))}, False))
    if job.assets:
        covered = []
        for vendor_id in job.vendor_ids:
            vendor_covered, reason = _vendor_certification(candidate, job, vendor_id, today)
            covered.append(vendor_covered)
            reasons.append(reason)
        by_certificates = all(covered)
    if not job.skills and not job.assets:
        return True, [Reason(NOTHING_TO_MATCH)]
    return by_skills or by_certificates, reasons


def _vendor_certification(candidate: Candidate, job: Job, vendor_id: int, today: dt.date) -> tuple[bool, Reason]:
    vendor = job.vendor_names.get(vendor_id, str(vendor_id))
    certificates = [certificate for certificate in candidate.certificates if certificate.vendor_id == vendor_id]
    valid = [certificate for certificate in certificates if certificate.valid_until >= today]
    products = [product_id for asset_vendor_id, product_id in job.assets if asset_vendor_id == vendor_id]
    covering = [
        certificate for certificate in valid if any(certificate.covers(vendor_id, product) for product in products)
    ]
    if covering and all(any(c.covers(vendor_id, product) for c in valid) for product in products):
        until = max(certificate.valid_until for certificate in covering)
        return True, Reason(CERTIFIED, {"vendor": vendor, "date": until.isoformat()}, True)
    if valid:
        return False, Reason(CERTIFIED_FOR_OTHER_PRODUCTS, {"vendor": vendor}, False)
    if certificates:
        expired = max(certificate.valid_until for certificate in certificates)
        return False, Reason(CERTIFICATION_EXPIRED, {"vendor": vendor, "date": expired.isoformat()}, False)
    return False, Reason(NOT_CERTIFIED, {"vendor": vendor}, False)


def assess(candidate: Candidate, job: Job, now: dt.datetime, today: dt.date | None = None) -> Recommendation:
    """One engineer against the job: the facts, the reasons and the sort key (rank 0 until ranked).

    `today` is the local date of `now` (certifications are valid through their last day), when known."""
    qualified, reasons = _qualification(candidate, job, today or local_date(now))

    fully_booked = candidate.load >= candidate.max_jobs
    off_duty = candidate.status == EngineerStatus.OFF_DUTY and not candidate.on_duty
    available = not fully_booked and not off_duty
    if candidate.on_duty:
        reasons.append(Reason(ON_DUTY, favourable=True))
    elif off_duty:
        reasons.append(Reason(OFF_DUTY, favourable=False))
    elif candidate.status == EngineerStatus.AVAILABLE and not fully_booked:
        reasons.append(Reason(AVAILABLE, favourable=True))
    if candidate.status in BUSY_SENTENCES:
        reasons.append(Reason(BUSY_SENTENCES[candidate.status]))

    distance = minutes = arrives_at = meets_arrival = None
    if job.site is None:
        reasons.append(Reason(SITE_WITHOUT_POSITION))
    else:
        distance = distance_km(candidate.position, job.site)
        minutes = travel_minutes(distance, candidate.speed_kmh)
        arrives_at = now + dt.timedelta(minutes=minutes)
        values = {"km": f"{distance:.1f}", "minutes": minutes}
        if candidate.from_check_in:
            reasons.append(Reason(AWAY_FROM_CHECK_IN, values))
        else:
            reasons.append(Reason(AWAY_FROM_HOME, {**values, "city": candidate.home_city}))
        if job.arrival_due_at is not None:
            meets_arrival = arrives_at <= job.arrival_due_at
            if meets_arrival:
                spare = _minutes(job.arrival_due_at - arrives_at)
                reasons.append(Reason(ARRIVES_IN_TIME, {"minutes": spare}, True))
            else:
                late = -_minutes(job.arrival_due_at - arrives_at)
                reasons.append(Reason(ARRIVES_LATE, {"minutes": late}, False))

    load = {"load": candidate.load, "max": candidate.max_jobs}
    reasons.append(Reason(FULLY_BOOKED, load, False) if fully_booked else Reason(LOAD, load))

    score = (
        not qualified,
        not available,
        ARRIVAL_ORDER[meets_arrival],
        not candidate.on_duty,
        minutes if minutes is not None else math.inf,
        candidate.load,
        candidate.user_id,
    )
    return Recommendation(
        engineer_id=candidate.user_id,
        name=candidate.name,
        tier=candidate.tier,
        status=candidate.status,
        qualified=qualified,
        available=available,
        on_duty=candidate.on_duty,
        load=candidate.load,
        max_jobs=candidate.max_jobs,
        distance_km=distance,
        travel_minutes=minutes,
        arrives_at=arrives_at,
        meets_arrival=meets_arrival,
        reasons=reasons,
        score=score,
    )


def rank(candidates: Iterable[Candidate], job: Job, now: dt.datetime) -> list[Recommendation]:
    """Every candidate, best first, numbered from 1 (the order is the module docstring's)."""
    today = local_date(now)
    # In UTC, times compare and subtract without a time-zone look-up for each engineer.
    now = now.astimezone(dt.UTC)
    if job.arrival_due_at is not None:
        job = replace(job, arrival_due_at=job.arrival_due_at.astimezone(dt.UTC))
    recommendations = sorted((assess(candidate, job, now, today) for candidate in candidates), key=lambda r: r.score)
    for position, recommendation in enumerate(recommendations, start=1):
        recommendation.rank = position
    return recommendations


# --- from the database ---------------------------------------------------------------------------


def arrival_due_at(ticket: Ticket) -> dt.datetime | None:
    """The due time of the ticket's on-site arrival clock from its SLA cache, unless it is met or stopped."""
    row = next((row for row in ticket.sla_clocks or () if row.get("clock") == Clock.ARRIVAL), None)
    if row is None or not row.get("due_at") or row.get("status") in (ClockStatus.MET, ClockStatus.STOPPED):
        return None
    return dt.datetime.fromisoformat(row["due_at"])


def job_for_ticket(ticket: Ticket, *, skills: Iterable[str] = ()) -> Job:
    """The ticket as a job: its site's position, its assets' vendors and products, its arrival target."""
    site = ticket.site if ticket.site_id else None
    position = None
    if site is not None and site.latitude is not None and site.longitude is not None:
        position = (float(site.latitude), float(site.longitude))
    assets, vendor_names = set(), {}
    for vendor_id, product_id, vendor_name in ticket.assets.order_by().values_list(
        "product__vendor_id", "product_id", "product__vendor__name"
    ):
        assets.add((vendor_id, product_id))
        vendor_names[vendor_id] = vendor_name
    return Job(
        site=position,
        assets=tuple(sorted(assets)),
        vendor_names=vendor_names,
        skills=frozenset(skills),
        arrival_due_at=arrival_due_at(ticket),
    )


def _certificates(vendor_ids: Sequence[int]) -> dict[int, tuple[Certificate, ...]]:
    """Every engineer's certifications for these vendors, expired ones too (to say so), in one query."""
    if not vendor_ids:
        return {}
    products: dict[tuple, set[int]] = defaultdict(set)
    rows = (
        Certification.objects.filter(vendor_id__in=vendor_ids)
        .order_by()
        .values_list("engineer_id", "pk", "vendor_id", "valid_until", "products__id")
    )
    for engineer_id, pk, vendor_id, valid_until, product_id in rows:
        found = products[engineer_id, pk, vendor_id, valid_until]
        if product_id is not None:
            found.add(product_id)
    certificates = defaultdict(list)
    for (engineer_id, _pk, vendor_id, valid_until), product_ids in products.items():
        certificates[engineer_id].append(Certificate(vendor_id, valid_until, frozenset(product_ids)))
    return {engineer_id: tuple(found) for engineer_id, found in certificates.items()}


def _skills() -> dict[int, frozenset[str]]:
    """Every engineer's skill names (keyed by user id), in one query."""
    through = EngineerProfile.skills.through
    skills = defaultdict(set)
    for user_id, name in through.objects.values_list("engineerprofile__user_id", "skill__name"):
        skills[user_id].add(name)
    return {user_id: frozenset(names) for user_id, names in skills.items()}


def _loads() -> dict[int, int]:
    """Active work orders per engineer, in one query."""
    rows = (
        WorkOrder.objects.filter(status__in=ACTIVE_STATUSES)
        .order_by()
        .values("engineer_id")
        .annotate(jobs=Count("pk"))
        .values_list("engineer_id", "jobs")
    )
    return dict(rows)


def candidates_for(job: Job, *, now: dt.datetime, team_id: int | None = None) -> list[Candidate]:
    """Every active engineer who may work tickets and has an engineer profile, as ranking sees them.

    Queries: profiles with user and region (1), skills when the job asks for some (1), certifications for
    the job's vendors when it has assets (1), loads (1), and the duty roster (`on_duty`).
    """
    # Plain rows, not models: building 300 profiles with their users and regions cost more than all the SQL.
    profiles = (
        EngineerProfile.objects.filter(user__is_active=True, user__role__in=WORKING_ROLES)
        .order_by()
        .values_list(
            "user_id",
            "user__username",
            "user__first_name",
            "user__last_name",
            "tier",
            "status",
            "home_city",
            "home_latitude",
            "home_longitude",
            "last_latitude",
            "last_longitude",
            "max_jobs",
            "region__travel_speed_kmh",
        )
    )
    skills = _skills() if job.skills else {}
    certificates = _certificates(job.vendor_ids)
    loads = _loads()
    duty = on_duty(now, team_id)
    # The duty engineer, and the shift's standby engineers where the roster names them.
    rostered = {person.pk for person in (duty.engineer, *duty.standby) if person is not None}
    default_speed = settings.AFTERSALES_DEFAULT_TRAVEL_SPEED_KMH
    candidates = []
    for (
        user_id,
        username,
        first_name,
        last_name,
        tier,
        status,
        home_city,
        home_latitude,
        home_longitude,
        last_latitude,
        last_longitude,
        max_jobs,
        speed,
    ) in profiles:
        # As EngineerProfile.position: the last check-in if any, else home base.
        checked_in = last_latitude is not None and last_longitude is not None
        position = (last_latitude, last_longitude) if checked_in else (home_latitude, home_longitude)
        candidates.append(
            Candidate(
                user_id=user_id,
                name=display_name(username, first_name, last_name),
                position=(float(position[0]), float(position[1])),
                speed_kmh=speed or default_speed,
                tier=tier,
                status=status,
                from_check_in=checked_in,
                home_city=home_city,
                skills=skills.get(user_id, frozenset()),
                certificates=certificates.get(user_id, ()),
                load=loads.get(user_id, 0),
                max_jobs=max_jobs,
                on_duty=user_id in rostered,
            )
        )
    return candidates


def display_name(username: str, first_name: str, last_name: str) -> str:
    """The name `str(user)` gives (User.get_full_name, else the username), from plain columns without a model."""
    if is_cjk(last_name) or is_cjk(first_name):
        return f"{last_name}{first_name}".strip() or username
    return f"{first_name} {last_name}".strip() or username


def recommend_for_ticket(
    *, ticket: Ticket, now: dt.datetime, limit: int | None = None, skills: Iterable[str] = ()
) -> list[Recommendation]:
    """Engineers for a ticket that needs someone on site, best first (at most `limit`).

    The caller decides who may see this (dispatchers); it reads every engineer in a constant number of
    queries, whatever their number.
    """
    job = job_for_ticket(ticket, skills=skills)
    recommendations = rank(candidates_for(job, now=now, team_id=ticket.team_id), job, now)
    return recommendations if limit is None else recommendations[:limit]


def best_engineer(*, ticket: Ticket, now: dt.datetime, skills: Iterable[str] = ()) -> Recommendation | None:
    """The engineer Aftersales sends when the dispatcher lets it pick (see `best_of`)."""
    return best_of(recommend_for_ticket(ticket=ticket, now=now, skills=skills))


def best_of(recommendations: Sequence[Recommendation]) -> Recommendation | None:
    """The first of a ranked list if qualified and available, else None (a person must decide then)."""
    first = recommendations[0] if recommendations else None
    return first if first is not None and first.qualified and first.available else None
