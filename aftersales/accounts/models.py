from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from aftersales.accounts.roles import LOG, ROLE_PERMISSIONS, STAFF_ROLES, Role


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

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name
