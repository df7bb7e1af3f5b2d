"""Whom to send on site: engineers ranked by qualification, availability, the arrival target, the duty
roster, travel time and load, each with the reasons for their rank."""

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from aftersales.accounts.models import DutyShift, EngineerProfile, EngineerStatus, Region, Skill
from aftersales.accounts.roles import Role
from aftersales.accounts.selectors import on_duty
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.assets.tests.factories import AssetFactory, ProductFactory, VendorFactory
from aftersales.customers.tests.factories import SiteFactory
from aftersales.dispatch.choices import WorkOrderKind, WorkOrderStatus
from aftersales.dispatch.models import Certification, WorkOrder
from aftersales.dispatch.recommend import (
    Candidate,
    Certificate,
    Job,
    arrival_due_at,
    best_engineer,
    distance_km,
    rank,
    recommend_for_ticket,
)
from aftersales.tickets.models import Ticket
from aftersales.tickets.tests.factories import TicketFactory

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=BEIJING)  # a Monday
VALID = dt.date(2027, 6, 30)
EXPIRED = dt.date(2026, 10, 31)
HANGZHOU = (30.2741, 120.1551)  # the site, by West Lake
SHANGHAI = (31.2304, 121.4737)
NINGBO = (29.8683, 121.5440)
serial = itertools.count(1)


def texts(recommendation) -> list[str]:
    with translation.override("en"):
        return [str(reason) for reason in recommendation.reasons]


def engineer(name, home, *, region=None, status=EngineerStatus.AVAILABLE, check_in=None, max_jobs=3, role=None):
    user = UserFactory(role=role or Role.ENGINEER, last_name=name[0], first_name=name[1:])
    EngineerProfile.objects.create(
        user=user,
        region=region,
        home_city="杭州市" if home[0] < 30.5 and home[1] < 121 else "外地",
        home_latitude=Decimal(str(home[0])),
        home_longitude=Decimal(str(home[1])),
        last_latitude=Decimal(str(check_in[0])) if check_in else None,
        last_longitude=Decimal(str(check_in[1])) if check_in else None,
        max_jobs=max_jobs,
        status=status,
    )
    return user


def certify(user, vendor, valid_until, *products):
    certification = Certification.objects.create(
        engineer=user, vendor=vendor, name="HCIP-Storage", valid_until=valid_until
    )
    certification.products.set(products)


def give_work(user, ticket, count, status=WorkOrderStatus.ACCEPTED):
    for _ in range(count):
        WorkOrder.objects.create(
            number=f"WO{next(serial):08d}",
            ticket=ticket,
            customer=ticket.customer,
            kind=WorkOrderKind.ON_SITE,
            status=status,
            dispatcher=ticket.created_by,
            dispatched_at=NOW - dt.timedelta(hours=2),
            basis="合同 HT-TEST",
            engineer=user,
            accept_by=NOW - dt.timedelta(hours=1),
            problem_description="存储阵列告警",
        )


@pytest.fixture
def world(db):
    """A storage fault at a Hangzhou site whose on-site arrival is due in 150 minutes, and seven engineers."""
    huawei = VendorFactory(name="Huawei")
    storage = ProductFactory(vendor=huawei, name="OceanStor 5500")
    switch = ProductFactory(vendor=huawei, name="CloudEngine 6800")
    site = SiteFactory(latitude=Decimal("30.274100"), longitude=Decimal("120.155100"))
    team = TeamFactory()
    ticket = TicketFactory(
        customer=site.customer,
        site=site,
        team=team,
        on_site_required=True,
        sla_clocks=[
            {"clock": "response", "status": "met", "due_at": (NOW - dt.timedelta(minutes=20)).isoformat()},
            {"clock": "arrival", "status": "running", "due_at": (NOW + dt.timedelta(minutes=150)).isoformat()},
        ],
    )
    ticket.assets.add(AssetFactory(site=site, product=storage))
    east = Region.objects.create(name="华东", travel_speed_kmh=60)

    people = {
        "hangzhou": engineer("王伟", (30.2741, 120.2551), region=east),
        "ningbo_on_duty": engineer("李娜", NINGBO, region=east),
        "shanghai_one_product": engineer("张强", SHANGHAI, region=east),
        "hangzhou_full": engineer("刘洋", (30.2500, 120.1700), region=east),
        "shanghai_off_duty": engineer("陈静", SHANGHAI, region=east, status=EngineerStatus.OFF_DUTY),
        "expired_checked_in": engineer("杨磊", SHANGHAI, check_in=(30.2800, 120.1551)),
        "other_product": engineer("黄敏", (30.3400, 120.0800)),
    }
    for key in ("hangzhou", "ningbo_on_duty", "hangzhou_full", "shanghai_off_duty"):
        certify(people[key], huawei, VALID)
    certify(people["shanghai_one_product"], huawei, VALID, storage)
    certify(people["expired_checked_in"], huawei, EXPIRED)
    certify(people["other_product"], huawei, VALID, switch)

    earlier = TicketFactory(customer=site.customer, site=site)
    give_work(people["hangzhou"], earlier, 1)
    give_work(people["hangzhou"], earlier, 2, status=WorkOrderStatus.SIGNED)  # done: not load
    give_work(people["hangzhou_full"], earlier, 3)
    DutyShift.objects.create(
        team=team, weekday=0, start=dt.time(8, 30), end=dt.time(17, 30), duty_engineer=people["ningbo_on_duty"]
    )
    # Not engineers on site: a dispatcher with a profile, an engineer who left, an engineer without a profile.
    engineer("赵军", HANGZHOU, role=Role.DISPATCHER)
    gone = engineer("孙涛", HANGZHOU)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    UserFactory(role=Role.ENGINEER)
    return {"ticket": Ticket.objects.get(pk=ticket.pk), "people": people, "storage": storage, "huawei": huawei}


def test_the_distance_from_hangzhou_to_shanghai_is_about_165_km():
    assert distance_km(HANGZHOU, SHANGHAI) == pytest.approx(165, abs=1)
    assert distance_km(HANGZHOU, HANGZHOU) == 0


def test_travel_time_is_the_straight_line_at_the_regions_speed_rounded_up_to_the_minute():
    # 0.1 degree of latitude is 11.12 km: 16.7 minutes at 40 km/h.
    candidate = Candidate(user_id=1, name="王伟", position=(30.3741, 120.1551), speed_kmh=40, home_city="杭州市")
    job = Job(site=HANGZHOU, arrival_due_at=NOW + dt.timedelta(minutes=17, seconds=59))

    [recommendation] = rank([candidate], job, NOW)

    assert recommendation.distance_km == pytest.approx(11.1195, abs=0.0001)
    assert recommendation.travel_minutes == 17
    assert recommendation.arrives_at == NOW + dt.timedelta(minutes=17)
    assert recommendation.meets_arrival is True
    assert texts(recommendation) == [
        "The ticket asks for no skill or certification",
        "Available",
        "11.1 km from home base in 杭州市, about 17 min on the road",
        "Arrives 0 min before the arrival target",
        "Carries 0 of 3 jobs",
    ]


def test_engineers_are_ranked_qualified_then_available_then_arrival_duty_roster_and_travel(world):
    people = world["people"]

    recommendations = recommend_for_ticket(ticket=world["ticket"], now=NOW)

    assert [r.engineer_id for r in recommendations] == [
        people["ningbo_on_duty"].pk,  # qualified, available, arrives in time, on the duty roster
        people["hangzhou"].pk,  # the same, off the roster
        people["shanghai_one_product"].pk,  # the same, but late
        people["hangzhou_full"].pk,  # qualified, fully booked
        people["shanghai_off_duty"].pk,  # qualified, off duty (and late)
        people["expired_checked_in"].pk,  # certification expired
        people["other_product"].pk,  # certified for another product
    ]
    assert [r.rank for r in recommendations] == [1, 2, 3, 4, 5, 6, 7]
    assert [(r.name, r.qualified, r.available, r.meets_arrival, r.travel_minutes, r.load) for r in recommendations] == [
        ("李娜", True, True, True, 142, 0),
        ("王伟", True, True, True, 10, 1),
        ("张强", True, True, False, 165, 0),
        ("刘洋", True, False, True, 4, 3),
        ("陈静", True, False, False, 165, 0),
        ("杨磊", False, True, True, 1, 0),
        ("黄敏", False, True, True, 16, 0),
    ]


def test_each_rank_says_why(world):
    recommendations = recommend_for_ticket(ticket=world["ticket"], now=NOW)

    assert [texts(r) for r in recommendations] == [
        [
            "Certified for Huawei until 2027-06-30",
            "On duty now",
            "141.1 km from home base in 外地, about 142 min on the road",
            "Arrives 8 min before the arrival target",
            "Carries 0 of 3 jobs",
        ],
        [
            "Certified for Huawei until 2027-06-30",
            "Available",
            "9.6 km from home base in 杭州市, about 10 min on the road",
            "Arrives 140 min before the arrival target",
            "Carries 1 of 3 jobs",
        ],
        [
            "Certified for Huawei until 2027-06-30",
            "Available",
            "164.9 km from home base in 外地, about 165 min on the road",
            "Would arrive 15 min after the arrival target",
            "Carries 0 of 3 jobs",
        ],
        [
            "Certified for Huawei until 2027-06-30",
            "3.0 km from home base in 杭州市, about 4 min on the road",
            "Arrives 146 min before the arrival target",
            "Fully booked: carries 3 of 3 jobs",
        ],
        [
            "Certified for Huawei until 2027-06-30",
            "Off duty",
            "164.9 km from home base in 外地, about 165 min on the road",
            "Would arrive 15 min after the arrival target",
            "Carries 0 of 3 jobs",
        ],
        [
            "Certification for Huawei expired on 2026-10-31",
            "Available",
            "0.7 km from the last check-in, about 1 min on the road",
            "Arrives 149 min before the arrival target",
            "Carries 0 of 3 jobs",
        ],
        [
            "Certified for other Huawei products only",
            "Available",
            "10.3 km from home base in 杭州市, about 16 min on the road",
            "Arrives 134 min before the arrival target",
            "Carries 0 of 3 jobs",
        ],
    ]


def test_a_certification_is_valid_through_its_last_day_and_a_skill_qualifies_without_one():
    today = NOW.date()
    job = Job(site=HANGZHOU, assets=((7, 70),), vendor_names={7: "H3C"}, skills=frozenset({"存储"}))
    last_day = Candidate(1, "王伟", HANGZHOU, 40, certificates=(Certificate(7, today, frozenset({70})),))
    skilled = Candidate(2, "李娜", HANGZHOU, 40, skills=frozenset({"存储", "网络"}))
    expired_yesterday = Candidate(3, "张强", HANGZHOU, 40, certificates=(Certificate(7, today - dt.timedelta(days=1)),))

    recommendations = rank([expired_yesterday, skilled, last_day], job, NOW)

    assert [(r.name, r.qualified) for r in recommendations] == [("王伟", True), ("李娜", True), ("张强", False)]
    assert texts(recommendations[0])[:2] == ["Lacks the skills asked for: 存储", "Certified for H3C until 2026-11-30"]
    assert texts(recommendations[1])[:2] == ["Has the skills asked for: 存储", "No certification for H3C"]
    assert texts(recommendations[2])[1] == "Certification for H3C expired on 2026-11-29"


def test_among_equals_the_lighter_load_then_the_lower_user_id_comes_first():
    job = Job(site=HANGZHOU)
    candidates = [
        Candidate(3, "C", HANGZHOU, 40, load=1),
        Candidate(2, "B", HANGZHOU, 40, load=2),
        Candidate(1, "A", HANGZHOU, 40, load=1),
    ]

    assert [r.engineer_id for r in rank(candidates, job, NOW)] == [1, 3, 2]


def test_skills_asked_for_are_read_from_the_profiles(world):
    storage = Skill.objects.create(name="存储")
    world["people"]["other_product"].engineer.skills.add(storage, Skill.objects.create(name="网络"))

    recommendations = recommend_for_ticket(ticket=world["ticket"], now=NOW, skills=["存储"])

    # Qualified by the skill, available, in time, and 16 minutes away: after 王伟 (10 minutes).
    assert [(r.name, r.qualified) for r in recommendations][1:4] == [("王伟", True), ("黄敏", True), ("张强", True)]
    assert texts(recommendations[2])[:2] == [
        "Has the skills asked for: 存储",
        "Certified for other Huawei products only",
    ]


def test_without_site_coordinates_or_an_arrival_target_travel_is_not_compared(world):
    ticket = world["ticket"]
    ticket.site.latitude = ticket.site.longitude = None
    ticket.site.save()
    ticket.sla_clocks = [{"clock": "arrival", "status": "met", "due_at": NOW.isoformat()}]

    recommendations = recommend_for_ticket(ticket=ticket, now=NOW, limit=2)

    assert arrival_due_at(ticket) is None
    assert [(r.name, r.distance_km, r.travel_minutes, r.arrives_at, r.meets_arrival) for r in recommendations] == [
        ("李娜", None, None, None, None),
        ("张强", None, None, None, None),  # no travel to compare: the lighter load (王伟 carries one job)
    ]
    assert texts(recommendations[0])[2] == "The site has no coordinates, so the travel time is unknown"


def test_aftersales_picks_the_first_qualified_available_engineer_or_nobody(world):
    assert best_engineer(ticket=world["ticket"], now=NOW).name == "李娜"

    Certification.objects.filter(vendor=world["huawei"]).update(valid_until=EXPIRED)

    assert best_engineer(ticket=world["ticket"], now=NOW) is None


@pytest.mark.parametrize("engineers", [3, 30])
def test_recommending_reads_a_constant_number_of_queries(world, engineers, django_assert_num_queries):
    skill = Skill.objects.create(name="存储")
    for number in range(engineers):
        user = engineer("吴超", (30 + number / 100, 120.0))
        user.engineer.skills.add(skill)
        certify(user, world["huawei"], VALID, world["storage"])
        give_work(user, world["ticket"], 1)
    ticket = Ticket.objects.get(pk=world["ticket"].pk)

    with CaptureQueriesContext(connection) as roster:
        on_duty(NOW, ticket.team_id)  # its own business how many (it says three at most)

    # site, assets, profiles, skills, certifications, loads, and the duty roster's
    with django_assert_num_queries(6 + len(roster)):
        recommendations = recommend_for_ticket(ticket=ticket, now=NOW, skills=["存储"])

    assert len(recommendations) == 7 + engineers
