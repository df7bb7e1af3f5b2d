"""Write the demo's field service: reference data directly, work orders and vendor cases through the services.

Regions, skills, engineer profiles, certifications and the roster's standby engineers and exception are master
data, saved as rows. Every work order, its timeline, log, parts, signatures, lent access and change approval, and
the vendor case, is made by the dispatch services while the ticket replay's simulated clock stands at the planned
step (see `demo.field_planning`), so they read exactly as if people had worked them.

Signing and archiving enqueue the task sheet's PDF when the load's transaction commits; the worker renders it when
`make run` starts, so loading renders nothing.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from aftersales.accounts.models import DutyException, DutyShift, EngineerProfile, Region, Skill, Team, User
from aftersales.assets.models import Product, Vendor
from aftersales.core.time import local_date
from aftersales.demo import field_catalogue as spec
from aftersales.demo.catalogue import STAFF
from aftersales.demo.signatures import signature_data_url
from aftersales.dispatch.models import Certification, VendorCase, WorkOrder
from aftersales.dispatch.services.remote import (
    change_approval_decide,
    change_approval_decide_by_link,
    change_approval_request,
    credential_lend,
)
from aftersales.dispatch.services.signing import signing_link_send, work_order_sign, work_order_sign_by_link
from aftersales.dispatch.services.vendor_cases import vendor_case_open, vendor_case_update
from aftersales.dispatch.services.work_orders import (
    part_add,
    work_log_add,
    work_order_act,
    work_order_check_in,
    work_order_complete,
    work_order_dispatch,
    work_order_update,
)
from aftersales.tickets.models import Ticket


def create_field_reference(
    *,
    users: dict[str, User],
    teams: dict[str, Team],
    vendors: dict[str, Vendor],
    products: dict[str, Product],
    now: dt.datetime,
) -> None:
    """Regions, skills, a profile for every engineer and expert, their certifications, standby and an exception."""
    regions = {}
    for region in spec.REGIONS:
        regions[region.name] = Region(
            name=region.name, provinces=",".join(region.provinces), travel_speed_kmh=region.travel_speed_kmh
        )
        regions[region.name].full_clean()
    Region.objects.bulk_create(regions.values())
    region_of = {province: regions[region.name] for region in spec.REGIONS for province in region.provinces}
    skills = Skill.objects.bulk_create(Skill(name=name) for name in spec.SKILLS)
    skill_ids = {skill.name: skill.pk for skill in skills}
    team_of = {staff.username: teams[staff.teams[0]] for staff in STAFF if staff.teams}
    profiles = []
    for profile in spec.PROFILES:
        row = EngineerProfile(
            user=users[profile.username],
            tier=profile.tier,
            team=team_of.get(profile.username),
            region=region_of[profile.province],
            home_city=profile.home_city,
            home_latitude=Decimal(profile.latitude),
            home_longitude=Decimal(profile.longitude),
            max_jobs=profile.max_jobs,
            status=profile.status,
        )
        row.full_clean(validate_unique=False)
        profiles.append(row)
    EngineerProfile.objects.bulk_create(profiles)
    EngineerProfile.skills.through.objects.bulk_create(
        EngineerProfile.skills.through(engineerprofile_id=row.pk, skill_id=skill_ids[name])
        for row, profile in zip(profiles, spec.PROFILES, strict=True)
        for name in profile.skills
    )
    _certifications(users, vendors, products, local_date(now))
    _standby_and_exception(users, local_date(now))


def _certifications(users, vendors, products, today: dt.date) -> None:
    certifications = Certification.objects.bulk_create(
        Certification(
            engineer=users[certification.username],
            vendor=vendors[certification.vendor],
            name=certification.name,
            number=certification.number,
            valid_until=today + dt.timedelta(days=certification.valid_days),
        )
        for certification in spec.CERTIFICATIONS
    )
    Certification.products.through.objects.bulk_create(
        Certification.products.through(certification_id=row.pk, product_id=products[key].pk)
        for row, certification in zip(certifications, spec.CERTIFICATIONS, strict=True)
        for key in certification.products
    )


def _standby_and_exception(users, today: dt.date) -> None:
    through = DutyShift.standby_engineers.through
    rows = []
    for shift in DutyShift.objects.filter(team=None).only("pk", "start", "end"):
        names = spec.NIGHT_STANDBY if shift.crosses_midnight else spec.DAY_STANDBY
        rows += [through(dutyshift_id=shift.pk, user_id=users[name].pk) for name in names]
    through.objects.bulk_create(rows)
    swap = spec.DUTY_EXCEPTION
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    exception = DutyException(
        day=next_monday + dt.timedelta(days=swap.weekday),
        start=dt.time.fromisoformat(swap.start),
        end=dt.time.fromisoformat(swap.end),
        duty_manager=users[swap.duty_manager],
        duty_engineer=users[swap.duty_engineer],
        reason=swap.reason,
    )
    exception.full_clean()
    exception.save()


class FieldWork:
    """Carries out the planned field steps, one service call each, while the replay's clock stands at the step."""

    def __init__(self, users: dict[str, User], vendors: dict[str, Vendor], parts=None):
        self.users = users
        self.vendors = vendors
        self.parts = parts  # demo.service_loading.PartWork: the part requests' steps and parts from stock
        self.orders: dict[str, int] = {}  # planned name → work order id
        self.tokens: dict[str, str] = {}  # planned name → the one-time link just sent
        self.approvals: dict[str, tuple] = {}  # planned name → (approval, link token or None)
        self.cases: dict[int, VendorCase] = {}  # ticket id → its vendor case

    def run(self, *, actor: User, ticket: Ticket, arguments: dict) -> None:
        operation = arguments["op"]
        handler = getattr(self, f"_{operation}", None) or getattr(self.parts, f"_{operation}")
        handler(actor, ticket, arguments)

    def _order(self, arguments: dict) -> WorkOrder:
        return WorkOrder.objects.get(pk=self.orders[arguments["order"]])

    def _dispatch(self, actor, ticket, arguments) -> None:
        work_order = work_order_dispatch(
            actor=actor,
            ticket=ticket,
            engineer=self.users[arguments["engineer"]],
            kind=arguments["kind"],
            basis=arguments["basis"],
            task_description=arguments["task"],
            method=arguments["method"],
        )
        self.orders[arguments["order"]] = work_order.pk

    def _act(self, actor, ticket, arguments) -> None:
        work_order_act(
            actor=actor,
            work_order=self._order(arguments),
            action=arguments["action"],
            version=None,
            note=arguments.get("note", ""),
        )

    def _check_in(self, actor, ticket, arguments) -> None:
        work_order_check_in(
            actor=actor,
            work_order=self._order(arguments),
            version=None,
            latitude=arguments["latitude"],
            longitude=arguments["longitude"],
            accuracy_m=arguments["accuracy_m"],
        )

    def _log(self, actor, ticket, arguments) -> None:
        work_log_add(
            actor=actor, work_order=self._order(arguments), text=arguments["text"], hours=Decimal(arguments["hours"])
        )

    def _part(self, actor, ticket, arguments) -> None:
        part_add(
            actor=actor,
            work_order=self._order(arguments),
            description=arguments["description"],
            part_number=arguments["part_number"],
            serial_number=arguments["serial_number"],
            unit_price=Decimal(arguments["unit_price"]),
        )

    def _stock_part(self, actor, ticket, arguments) -> None:
        """A part from stock that fits the asset; a free-text line when no warehouse within reach has one."""
        if self.parts is None or not self.parts.stock_part(actor, self._order(arguments), arguments):
            self._part(actor, ticket, arguments)

    def _update(self, actor, ticket, arguments) -> None:
        work_order_update(
            actor=actor,
            work_order=self._order(arguments),
            version=None,
            travel_km=Decimal(arguments["travel_km"]),
            travel_cost=Decimal(arguments["travel_cost"]),
        )

    def _complete(self, actor, ticket, arguments) -> None:
        work_order_complete(
            actor=actor,
            work_order=self._order(arguments),
            version=None,
            resolution=arguments["resolution"],
            latitude=arguments.get("latitude"),
            longitude=arguments.get("longitude"),
            accuracy_m=arguments.get("accuracy_m"),
        )

    def _sign(self, actor, ticket, arguments) -> None:
        work_order_sign(
            actor=actor,
            work_order=self._order(arguments),
            role=arguments["role"],
            signer_name=arguments["name"],
            signature=signature_data_url(arguments["name"]),
        )

    def _send_link(self, actor, ticket, arguments) -> None:
        self.tokens[arguments["order"]] = signing_link_send(
            actor=actor, work_order=self._order(arguments), send_to=arguments["send_to"]
        )

    def _sign_link(self, actor, ticket, arguments) -> None:
        work_order_sign_by_link(
            token=self.tokens.pop(arguments["order"]),
            signer_name=arguments["name"],
            signature=signature_data_url(arguments["name"]),
        )

    def _lend(self, actor, ticket, arguments) -> None:
        credential_lend(
            actor=actor,
            ticket=ticket,
            work_order=self._order(arguments),
            system=arguments["system"],
            address=arguments["address"],
            username=arguments["username"],
            password=arguments["password"],
            lent_by=arguments["lent_by"],
            valid_until=timezone.now() + dt.timedelta(hours=arguments["valid_hours"]),
        )

    def _approval_request(self, actor, ticket, arguments) -> None:
        self.approvals[arguments["order"]] = change_approval_request(
            actor=actor,
            work_order=self._order(arguments),
            description=arguments["description"],
            send_to=arguments["send_to"],
        )

    def _approval_decide(self, actor, ticket, arguments) -> None:
        approval, token = self.approvals.pop(arguments["order"])
        if arguments["by_link"]:
            change_approval_decide_by_link(token=token, approve=True, decided_by_name=arguments["name"])
        else:
            change_approval_decide(approval=approval, approve=True, decided_by_name=arguments["name"], user=actor)

    def _vendor_open(self, actor, ticket, arguments) -> None:
        self.cases[ticket.pk] = vendor_case_open(
            actor=actor,
            ticket=ticket,
            vendor=self.vendors[arguments["vendor"]],
            case_number=arguments["case_number"],
            contact_name=arguments["contact_name"],
            contact_phone=arguments["contact_phone"],
            contact_email=arguments["contact_email"],
            promised_response_at=arguments["promised_response_at"],
            promised_resolution_at=arguments["promised_resolution_at"],
        )

    def _vendor_update(self, actor, ticket, arguments) -> None:
        vendor_case_update(
            actor=actor,
            case=self.cases[ticket.pk],
            note=arguments["note"],
            status=arguments.get("status"),
            responded_at=timezone.now() if arguments.get("responded") else None,
        )
