from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from aftersales.accounts.roles import LOG, ROLE_PERMISSIONS, STAFF_ROLES, Role
from aftersales.core.choices import Weekday


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

    @property
    def can_log_requests(self) -> bool:
        """Whether pages offer "log a request" / "report a problem": from the role table, without a query."""
        return self.is_customer_user or self.is_superuser or LOG in ROLE_PERMISSIONS.get(self.role, frozenset())


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
