from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from aftersales.accounts.roles import LOG, ROLE_PERMISSIONS, STAFF_ROLES, SUPERVISE, Role
from aftersales.core.choices import Tier, Weekday


def is_cjk(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    phone = PhoneNumberField(_("phone"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Required for customer users: the organisation whose data they may see."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="customer_user_has_customer",
                condition=~models.Q(role=Role.CUSTOMER) | models.Q(customer__isnull=False),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Chinese names read family name first with no space (李娜); others "first last"."""
        if is_cjk(self.last_name) or is_cjk(self.first_name):
            return f"{self.last_name}{self.first_name}".strip()
        return super().get_full_name()

    @property
    def is_customer_user(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    def _role_grants(self, permission: str) -> bool:
        """For menus: what the role table grants, without the query `has_perm` makes."""
        return self.is_superuser or permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    @property
    def can_log_requests(self) -> bool:
        """Whether pages offer "log a request" / "report a problem"."""
        return self.is_customer_user or self._role_grants(LOG)

    @property
    def can_supervise_tickets(self) -> bool:
        return self._role_grants(SUPERVISE)


class Team(models.Model):
    """A group of staff tickets can be routed to, e.g. 杭州二线组 or 数据库专家组."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(User, verbose_name=_("members"), blank=True, related_name="teams")
    lead = models.ForeignKey(
        User,
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        help_text=_("Told when the team's tickets near or pass their SLA targets."),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DutyShift(models.Model):
    """A weekly shift of the duty roster (值班表): who is the duty manager and duty engineer then.

    A shift whose end is not after its start runs past midnight into the next day.
    """

    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="duty_shifts",
        help_text=_("Leave empty for the whole organisation."),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("An end at or before the start means the next morning."))
    duty_manager = models.ForeignKey(
        User, verbose_name=_("duty manager"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duty_engineer = models.ForeignKey(
        User, verbose_name=_("duty engineer"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    standby_engineers = models.ManyToManyField(
        User,
        verbose_name=_("standby engineers"),
        blank=True,
        related_name="+",
        help_text=_("Further engineers on duty in this shift, called when the duty engineer is busy."),
    )

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["team", "weekday", "start"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def covers(self, weekday: int, time) -> bool:
        """Whether the shift is on at local `time` on `weekday` (Monday is 0)."""
        if self.crosses_midnight:
            return (weekday == self.weekday and time >= self.start) or (
                weekday == (self.weekday + 1) % 7 and time < self.end
            )
        return weekday == self.weekday and self.start <= time < self.end


SYSTEM_USERNAME = "aftersales-system"


def system_user() -> User:
    """The actor of what Aftersales does by itself (the SLA sweep); it cannot log in."""
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "Aftersales", "is_active": False, "role": Role.ADMIN}
    )
    return user


class Region(models.Model):
    """A service region (华东, 西南…): its provinces, and how fast engineers travel there by road."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    provinces = models.CharField(
        _("provinces"),
        max_length=500,
        blank=True,
        help_text=_("Provinces in this region, separated by commas, as written on sites (e.g. 浙江省,江苏省)."),
    )
    travel_speed_kmh = models.PositiveSmallIntegerField(
        _("travel speed (km/h)"),
        default=40,
        validators=[MinValueValidator(5), MaxValueValidator(300)],
        help_text=_("Average door-to-door speed used to estimate travel time from straight-line distance."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def province_list(self) -> list[str]:
        return [name.strip() for name in self.provinces.replace("，", ",").split(",") if name.strip()]


class Skill(models.Model):
    """What an engineer can work on, e.g. 存储, 小型机, 视频监控, Oracle 数据库."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self):
        return self.name


class EngineerStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    TRAVELLING = "travelling", _("Travelling")
    ON_SITE = "on_site", _("On site")
    OFF_DUTY = "off_duty", _("Off duty")


class EngineerProfile(models.Model):
    """A field engineer's tier, base, skills and capacity: what dispatch ranks engineers by."""

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="engineer")
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.L2)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="engineers"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.SET_NULL, null=True, blank=True, related_name="engineers"
    )
    home_city = models.CharField(_("home city"), max_length=50)
    home_latitude = models.DecimalField(_("home latitude"), max_digits=9, decimal_places=6)
    home_longitude = models.DecimalField(_("home longitude"), max_digits=9, decimal_places=6)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="engineers")
    max_jobs = models.PositiveSmallIntegerField(
        _("jobs at once"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many open work orders this engineer can carry at the same time."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EngineerStatus.choices, default=EngineerStatus.AVAILABLE
    )
    last_latitude = models.DecimalField(_("last known latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    last_longitude = models.DecimalField(
        _("last known longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    last_seen_at = models.DateTimeField(_("position recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("engineer profile")
        verbose_name_plural = _("engineer profiles")
        ordering = ["user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.CheckConstraint(
                name="engineer_home_on_earth",
                condition=models.Q(home_latitude__gte=-90, home_latitude__lte=90)
                & models.Q(home_longitude__gte=-180, home_longitude__lte=180),
            ),
        ]

    def __str__(self):
        return str(self.user)

    @property
    def position(self) -> tuple[float, float]:
        """Where the engineer is: the last check-in if any, else home base."""
        if self.last_latitude is not None and self.last_longitude is not None:
            return float(self.last_latitude), float(self.last_longitude)
        return float(self.home_latitude), float(self.home_longitude)


class DutyException(models.Model):
    """A dated change to the weekly roster: on that day, in that window, these people are on duty instead."""

    day = models.DateField(_("day"))
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="duty_exceptions",
        help_text=_("Leave empty for the whole organisation."),
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("An end at or before the start means the next morning."))
    duty_manager = models.ForeignKey(
        User, verbose_name=_("duty manager"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duty_engineer = models.ForeignKey(
        User, verbose_name=_("duty engineer"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, help_text=_("E.g. holiday swap, sick leave."))

    class Meta:
        verbose_name = _("duty roster exception")
        verbose_name_plural = _("duty roster exceptions")
        ordering = ["day", "start"]

    def __str__(self):
        return f"{self.day} {self.start:%H:%M}–{self.end:%H:%M}"
