"""The engineers' roster (维修人员名单) and the duty roster (值班表) pages, and the field-service admin."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.models import DutyException, DutyShift, EngineerProfile, Region, Skill
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.assets.tests.factories import VendorFactory
from aftersales.core.time import local_date
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.dispatch.models import Certification, CredentialReveal, RemoteCredential, WorkOrder
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

ENGINEER_ROW = re.compile(r'data-testid="engineer-row" data-engineer="([^"]+)"')
CERTIFICATION = re.compile(r'data-testid="certification" data-state="([^"]+)">\s*<strong>([^<]+)</strong> ([^<]+?) <')
GAP = re.compile(r'data-testid="roster-gap">([^<]+)')
# Session, user, the user's and their groups' permissions, the menu's unread notifications (as every staff page);
# then the engineers, their skills and their certifications, and the team, region and vendor options (a COUNT and a
# SELECT each, as every select in includes/field.html).
PAGE_QUERIES = 5
ROSTER_QUERIES = PAGE_QUERIES + 3 + 6
# Twice the roster (shifts, their standby engineers, exceptions): once for the week and once for who is on duty now;
# then the team options.
DUTY_QUERIES = PAGE_QUERIES + 3 + 3 + 2
# A Monday with a week around it that no test's clock reaches.
MONDAY = dt.date(2030, 3, 4)


def engineer(username: str, *, team=None, region=None, skills=(), **profile) -> EngineerProfile:
    user = UserFactory(username=username, role=Role.ENGINEER, first_name=username, phone="+8613900139000")
    created = EngineerProfile.objects.create(
        user=user,
        team=team,
        region=region,
        home_city=profile.pop("home_city", "杭州市"),
        home_latitude="30.274100",
        home_longitude="120.155100",
        **profile,
    )
    created.skills.set(skills)
    return created


def certify(profile: EngineerProfile, vendor: str, name: str, valid_for_days: int) -> Certification:
    return Certification.objects.create(
        engineer=profile.user,
        vendor=VendorFactory(name=vendor),
        name=name,
        number=f"{vendor}-{name}-001",
        valid_until=local_date() + dt.timedelta(days=valid_for_days),
    )


@pytest.fixture
def dispatcher(client):
    user = UserFactory(role=Role.DISPATCHER)
    client.force_login(user)
    return user


@pytest.fixture
def engineers():
    east, west = Region.objects.create(name="华东"), Region.objects.create(name="西南")
    storage, network = Skill.objects.create(name="存储"), Skill.objects.create(name="网络")
    hangzhou, chengdu = TeamFactory(name="杭州二线组"), TeamFactory(name="成都二线组")
    wang = engineer("wang", team=hangzhou, region=east, skills=[storage, network], tier="L3")
    li = engineer("li", team=chengdu, region=west, skills=[network], home_city="成都市")
    certify(wang, "Huawei", "HCIP-Storage", valid_for_days=-1)
    certify(wang, "Cisco", "CCNP Enterprise", valid_for_days=60)
    certify(wang, "IBM", "Power Systems", valid_for_days=61)
    certify(li, "Cisco", "CCNA", valid_for_days=0)
    return {"wang": wang, "li": li, "hangzhou": hangzhou, "west": west}


def roster(client, **query) -> str:
    with translation.override("en"):
        response = client.get(reverse("engineer_roster"), query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_the_roster_lists_each_engineer_with_certifications_and_marks_expired_and_expiring_ones(
    client, dispatcher, engineers
):
    page = roster(client)

    assert ENGINEER_ROW.findall(page) == ["li", "wang"]
    assert CERTIFICATION.findall(page) == [
        ("expiring", "Cisco", "CCNA"),
        ("expiring", "Cisco", "CCNP Enterprise"),
        ("expired", "Huawei", "HCIP-Storage"),
        ("valid", "IBM", "Power Systems"),
    ]
    assert "Huawei-HCIP-Storage-001" in page
    assert "存储" in page and "杭州二线组" in page and "成都市" in page
    assert "data-print" in page and "js/print.js" in page


def test_the_roster_filters_by_team_region_and_vendor_and_shows_only_that_vendors_certifications(
    client, dispatcher, engineers
):
    assert ENGINEER_ROW.findall(roster(client, team=engineers["hangzhou"].pk)) == ["wang"]
    assert ENGINEER_ROW.findall(roster(client, region=engineers["west"].pk)) == ["li"]

    huawei = roster(client, vendor=VendorFactory(name="Huawei").pk)

    assert ENGINEER_ROW.findall(huawei) == ["wang"]
    assert [name for _state, _vendor, name in CERTIFICATION.findall(huawei)] == ["HCIP-Storage"]


def test_the_roster_says_when_nothing_matches_and_when_there_is_nobody(client, dispatcher, engineers):
    empty_team = TeamFactory()
    assert 'data-testid="empty">No engineers match these filters.' in roster(client, team=empty_team.pk)

    EngineerProfile.objects.all().delete()
    assert "No engineer profiles yet" in roster(client)


def test_an_unknown_filter_value_is_ignored_with_a_warning(client, dispatcher, engineers):
    page = roster(client, team="not-a-team", vendor="999999")

    assert 'data-testid="filter-invalid"' in page
    assert ENGINEER_ROW.findall(page) == ["li", "wang"]


def test_the_roster_reads_a_fixed_number_of_queries(client, dispatcher, engineers, django_assert_num_queries):
    url = reverse("engineer_roster")
    with django_assert_num_queries(ROSTER_QUERIES):
        client.get(url)

    for index in range(5):
        profile = engineer(f"extra{index}", team=TeamFactory(), region=Region.objects.create(name=f"区域{index}"))
        profile.skills.set([Skill.objects.create(name=f"技能{index}")])
        certify(profile, f"Vendor{index}", "Certified", valid_for_days=index)
    with django_assert_num_queries(ROSTER_QUERIES):
        client.get(url)


@pytest.mark.parametrize("name", ["engineer_roster", "duty_roster"])
def test_customers_do_not_see_the_rosters_and_visitors_are_asked_to_sign_in(client, name):
    url = reverse(name)
    assert client.get(url).status_code == 302

    client.force_login(UserFactory(role=Role.CUSTOMER, customer=CustomerFactory()))
    assert client.get(url).status_code == 404


# The duty roster.


@pytest.fixture
def week_roster():
    """Weekdays 08:30–17:30 for everyone; Monday night without an engineer; a team shift that overlaps another."""
    people = {
        name: UserFactory(username=name, first_name=name, role=Role.MANAGER if "manager" in name else Role.ENGINEER)
        for name in ("manager", "engineer", "night_manager", "standby", "swap_engineer", "team_engineer")
    }
    team = TeamFactory(name="杭州一线组")
    for weekday in range(5):
        DutyShift.objects.create(
            weekday=weekday,
            start=dt.time(8, 30),
            end=dt.time(17, 30),
            duty_manager=people["manager"],
            duty_engineer=people["engineer"],
        ).standby_engineers.set([people["standby"]])
    DutyShift.objects.create(weekday=0, start=dt.time(17, 30), end=dt.time(8, 30), duty_manager=people["night_manager"])
    DutyShift.objects.create(
        team=team, weekday=1, start=dt.time(8), end=dt.time(12), duty_engineer=people["team_engineer"]
    )
    DutyShift.objects.create(
        team=team, weekday=1, start=dt.time(11), end=dt.time(13), duty_engineer=people["team_engineer"]
    )
    DutyException.objects.create(
        day=MONDAY + dt.timedelta(days=2),
        start=dt.time(12),
        end=dt.time(13),
        duty_manager=people["manager"],
        duty_engineer=people["swap_engineer"],
        reason="午休替班",
    )
    return people, team


def duty_page(client, **query):
    with translation.override("en"):
        response = client.get(reverse("duty_roster"), query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_the_duty_roster_shows_the_week_with_its_gaps_exceptions_and_who_is_on_duty_now(
    client, dispatcher, week_roster
):
    page = duty_page(client, week=(MONDAY + dt.timedelta(days=3)).isoformat())

    assert "Week of 2030-03-04 to 2030-03-10" in page
    assert re.findall(r'data-testid="roster-day" data-day="([^"]+)"', page) == [
        (MONDAY + dt.timedelta(days=offset)).isoformat() for offset in range(7)
    ]
    assert [gap.strip() for gap in GAP.findall(page)][:2] == [
        "Mon 03-04 00:00 to Mon 03-04 08:30: no duty manager and no duty engineer",
        "Mon 03-04 17:30 to Tue 03-05 08:30: no duty engineer",
    ]
    assert 'data-kind="exception"' in page and "午休替班" in page and 'data-replaced="partly"' in page
    assert 'data-testid="roster-overlaps"' not in page  # the team's shifts are not in the organisation's roster
    assert 'data-testid="on-duty-now"' in page
    assert "?week=2030-02-25" in page and "?week=2030-03-11" in page


def test_a_teams_roster_lists_its_overlapping_shifts_and_keeps_the_team_in_the_week_links(
    client, dispatcher, week_roster
):
    _people, team = week_roster

    page = duty_page(client, team=team.pk, week=MONDAY.isoformat())

    assert re.findall(r'data-testid="roster-overlap">([^<]+)', page) == [
        "The shift Tue 08:00 to Tue 12:00 and the shift Tue 11:00 to Tue 13:00 are both on from Tue 03-05 11:00 "
        "to Tue 03-05 12:00. (杭州一线组)"
    ]
    assert f"?team={team.pk}&amp;week=2030-03-11" in page


def test_who_is_on_duty_now_comes_from_the_roster(client, dispatcher):
    people = {name: UserFactory(username=name, first_name=name) for name in ("boss", "hand", "spare")}
    for weekday in range(7):
        DutyShift.objects.create(
            weekday=weekday, start=dt.time(0), end=dt.time(0), duty_manager=people["boss"], duty_engineer=people["hand"]
        ).standby_engineers.set([people["spare"]])

    page = duty_page(client)

    assert 'data-testid="now-manager">boss<' in page
    assert 'data-testid="now-engineer">hand<' in page
    assert 'data-testid="now-standby">spare<' in page
    assert f"Week of {(local_date() - dt.timedelta(days=local_date().weekday())).isoformat()}" in page


def test_nobody_on_duty_is_said_plainly(client, dispatcher):
    page = duty_page(client)

    assert 'data-testid="nobody-on-duty"' in page
    assert "no duty manager and no duty engineer" in page


@pytest.mark.parametrize(
    "query", [{"week": "next tuesday"}, {"week": "0001-01-01"}, {"week": "9999-12-31"}, {"team": "x"}, {"team": "0"}]
)
def test_a_bad_team_or_week_falls_back_to_this_week_for_everyone_and_says_so(client, dispatcher, query):
    page = duty_page(client, **query)

    assert 'data-testid="query-invalid"' in page
    monday = local_date() - dt.timedelta(days=local_date().weekday())
    assert f"Week of {monday.isoformat()}" in page
    assert 'data-testid="roster-scope">Whole organisation' in page


def test_the_duty_roster_reads_a_fixed_number_of_queries(client, dispatcher, week_roster, django_assert_num_queries):
    _people, team = week_roster
    url = reverse("duty_roster")
    with django_assert_num_queries(DUTY_QUERIES):
        client.get(url, {"week": MONDAY.isoformat()})
    with django_assert_num_queries(DUTY_QUERIES + 1):  # the team asked for
        client.get(url, {"week": MONDAY.isoformat(), "team": team.pk})


# The admin.


@pytest.fixture
def superuser(client):
    user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def credential(superuser):
    ticket = TicketFactory()
    work_order = WorkOrder.objects.create(
        number="WO-ROSTER-1",
        ticket=ticket,
        customer=ticket.customer,
        kind="remote",
        dispatcher=superuser,
        dispatched_at=timezone.now(),
        basis="x",
        engineer=UserFactory(role=Role.ENGINEER),
        accept_by=timezone.now(),
        problem_description="数据库无法连接",
    )
    lent = RemoteCredential(
        customer=ticket.customer,
        ticket=ticket,
        work_order=work_order,
        system="公积金核心数据库",
        address="10.0.0.5",
        username="oracle",
        lent_by="张三",
        valid_until=timezone.now() + dt.timedelta(days=1),
        created_by=superuser,
    )
    lent.set_password("s3cret-Passw0rd")
    lent.save()
    CredentialReveal.objects.create(credential=lent, user=superuser, at=timezone.now(), reason="排障")
    return lent


def test_every_field_service_admin_page_opens(client, credential, engineers):
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in ("accounts", "dispatch"):
            continue
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
    registered = {model.__name__ for model in admin.site._registry}
    assert {
        "EngineerProfile",
        "Skill",
        "Region",
        "DutyShift",
        "DutyException",
        "Certification",
        "WorkOrder",
        "VendorCase",
        "RemoteCredential",
        "CredentialReveal",
        "ChangeApproval",
    } <= registered


def test_expired_certifications_are_filtered_in_the_admin(client, superuser, engineers):
    url = reverse("admin:dispatch_certification_changelist")

    expired = client.get(url, {"expiry": "expired"}).content.decode()
    expiring = client.get(url, {"expiry": "soon"}).content.decode()

    assert "HCIP-Storage" in expired and "CCNA" not in expired and "Power Systems" not in expired
    assert "CCNA" in expiring and "CCNP Enterprise" in expiring and "HCIP-Storage" not in expiring


def test_a_lent_credential_is_read_only_and_its_password_is_never_shown(client, credential):
    page = client.get(reverse("admin:dispatch_remotecredential_change", args=[credential.pk])).content.decode()

    assert "公积金核心数据库" in page
    assert "s3cret-Passw0rd" not in page
    assert credential.password_token not in page
    assert "password_token" not in page

    client.post(reverse("admin:dispatch_remotecredential_change", args=[credential.pk]), {"username": "root"})
    credential.refresh_from_db()
    assert credential.username == "oracle"
    assert client.get(reverse("admin:dispatch_remotecredential_add")).status_code == 403


def test_work_orders_cannot_be_edited_in_the_admin(client, credential):
    work_order = credential.work_order
    url = reverse("admin:dispatch_workorder_change", args=[work_order.pk])

    assert "WO-ROSTER-1" in client.get(url).content.decode()
    client.post(url, {"problem_description": "changed"})
    work_order.refresh_from_db()
    assert work_order.problem_description == "数据库无法连接"
