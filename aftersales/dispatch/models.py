"""Field service: certifications, work orders (任务书) with their timeline, signatures, vendor cases,
lent remote-access credentials and change approvals."""

from urllib.parse import quote

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.assets.models import Product, Vendor
from aftersales.core import crypto
from aftersales.core.images import png_data_uri
from aftersales.core.models import TimeStampedModel, VisibleQuerySet
from aftersales.customers.models import Customer, Site
from aftersales.dispatch.choices import (
    ApprovalStatus,
    SignedVia,
    SignerRole,
    VendorCaseStatus,
    WorkOrderEventKind,
    WorkOrderKind,
    WorkOrderStatus,
)
from aftersales.dispatch.transitions import ACTIVE_STATUSES
from aftersales.tickets.models import Ticket

COORDINATE = {"max_digits": 9, "decimal_places": 6, "null": True, "blank": True}


class StaffOnlyQuerySet(VisibleQuerySet):
    """Internal records: every staff member sees them, customers never do."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active or not user.is_staff_member:
            return self.none()
        return self


class Certification(models.Model):
    """A vendor certification an engineer holds (IBM, HP, Cisco, Huawei…), valid until a date."""

    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("engineer"), on_delete=models.CASCADE, related_name="certifications"
    )
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("certification"), max_length=200, help_text=_("E.g. HCIP-Storage, CCNP Enterprise."))
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    products = models.ManyToManyField(
        Product,
        verbose_name=_("products"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty when the certification covers all of the vendor's products."),
    )
    valid_until = models.DateField(_("valid until"))

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["vendor__name", "name"]

    def __str__(self):
        return f"{self.vendor} {self.name}"

    def is_valid_on(self, day) -> bool:
        return self.valid_until >= day


class WorkOrderQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        orders = super().visible_to(user)
        if user is not None and getattr(user, "is_customer_user", False):
            # Who turned a job down is the provider's dispatching, not the customer's record.
            orders = orders.exclude(status=WorkOrderStatus.DECLINED)
        return orders

    def open(self):
        return self.filter(status__in=ACTIVE_STATUSES)


class WorkOrder(TimeStampedModel):
    """A task sheet (用户现场/远程维护任务书): one engineer's job on one ticket, signed off by the customer."""

    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="work_orders")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=WorkOrderKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=WorkOrderStatus.choices, default=WorkOrderStatus.DISPATCHED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # 派单人 / 派单时间 / 派单依据 / 领单人
    dispatcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dispatcher"), on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("dispatched at"))
    basis = models.TextField(
        _("basis for dispatch"), help_text=_("Why this job is sent, e.g. the ticket and contract.")
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="work_orders"
    )
    accept_by = models.DateTimeField(
        _("accept by"), help_text=_("Unaccepted by then, the order returns to the dispatcher.")
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # 用户名称 / 用户地址及联系方式: copied at dispatch, so the signed sheet keeps what was true then.
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    latitude = models.DecimalField(_("site latitude"), **COORDINATE)
    longitude = models.DecimalField(_("site longitude"), **COORDINATE)
    # 软件名称 / 软件版本 / 问题描述 / 任务描述 / 任务完成方法 / 问题解决情况
    software_name = models.CharField(_("software name"), max_length=100, blank=True)
    software_version = models.CharField(_("software version"), max_length=50, blank=True)
    problem_description = models.TextField(_("problem description"))
    task_description = models.TextField(_("task description"), blank=True)
    method = models.TextField(_("method"), blank=True, help_text=_("How the remote task is carried out."))
    resolution = models.TextField(_("resolution"), blank=True)
    # 完成起止日期, check-in and check-out
    travel_started_at = models.DateTimeField(_("set off at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    check_in_latitude = models.DecimalField(_("check-in latitude"), **COORDINATE)
    check_in_longitude = models.DecimalField(_("check-in longitude"), **COORDINATE)
    check_in_accuracy_m = models.PositiveIntegerField(_("check-in accuracy (m)"), null=True, blank=True)
    check_out_latitude = models.DecimalField(_("check-out latitude"), **COORDINATE)
    check_out_longitude = models.DecimalField(_("check-out longitude"), **COORDINATE)
    check_out_accuracy_m = models.PositiveIntegerField(_("check-out accuracy (m)"), null=True, blank=True)
    labour_hours = models.DecimalField(
        _("labour hours"), max_digits=6, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    travel_km = models.DecimalField(
        _("travel distance (km)"), max_digits=8, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    travel_cost = models.DecimalField(
        _("travel expenses (CNY)"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    # 归档人 / 归档日期
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("archived by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    pdf = models.FileField(_("task sheet (PDF)"), upload_to="work_orders/%Y/%m/", blank=True)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-dispatched_at", "-id"]
        indexes = [
            models.Index(fields=["engineer", "status"], name="work_order_engineer_idx"),
            models.Index(fields=["status", "accept_by"], name="work_order_accept_idx"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("work_order_detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.status in (WorkOrderStatus.SIGNED, WorkOrderStatus.ARCHIVED)

    @property
    def navigation_url(self) -> str:
        """A geo: link (RFC 5870) that a phone opens in its map app; the address when there are no coordinates."""
        if self.latitude is not None and self.longitude is not None:
            return f"geo:{self.latitude},{self.longitude}?q={quote(self.address)}"
        return f"geo:0,0?q={quote(self.address)}"


class WorkOrderEvent(models.Model):
    """Append-only timeline of a work order (codes and values, never translated text)."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=WorkOrderEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from status"), max_length=20, choices=WorkOrderStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=WorkOrderStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = StaffOnlyQuerySet.as_manager()  # declines and internal notes: customers see the sheet, not this

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.work_order} {self.kind}"


class WorkLogEntry(models.Model):
    """What the engineer did, when, and for how long (feeds labour hours and the weekly report)."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="log"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = models.TextField(_("work done"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )

    class Meta:
        verbose_name = _("work log entry")
        verbose_name_plural = _("work log")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.work_order} {self.at:%Y-%m-%d %H:%M}"


class PartUsed(models.Model):
    """A part fitted or consumed on the job (a free list until spare parts are kept in stock)."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="parts"
    )
    description = models.CharField(_("part"), max_length=200)
    part_number = models.CharField(_("part number"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        _("unit price (CNY)"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        ordering = ["id"]

    def __str__(self):
        return f"{self.description} × {self.quantity}"

    @property
    def amount(self):
        return self.quantity * self.unit_price


class Signature(models.Model):
    """A signature on a task sheet: who signed, when, how, and the drawn image (PNG)."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="signatures"
    )
    role = models.CharField(_("signed as"), max_length=10, choices=SignerRole.choices)
    signer_name = models.CharField(_("name of the signer"), max_length=100)
    signed_at = models.DateTimeField(_("signed at"))
    via = models.CharField(_("signed"), max_length=10, choices=SignedVia.choices)
    image_png = models.BinaryField(_("signature image"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [models.UniqueConstraint(fields=["work_order", "role"], name="one_signature_per_role")]

    def __str__(self):
        return f"{self.work_order} {self.role} {self.signer_name}"

    @property
    def data_uri(self) -> str:
        """The image for a page or a PDF, inline (no file to serve, nothing fetched)."""
        return png_data_uri(self.image_png)


class SigningLink(models.Model):
    """A one-time link a customer signs through, sent by SMS or email; only its token's hash is stored."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="signing_links"
    )
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=[("sign", _("Sign the task sheet")), ("approve", _("Approve a change"))]
    )
    approval = models.ForeignKey(
        "ChangeApproval",
        verbose_name=_("change approval"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    sent_to = models.CharField(_("sent to"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time link")
        verbose_name_plural = _("one-time links")

    def __str__(self):
        return f"{self.work_order} → {self.sent_to}"

    def is_usable(self, now) -> bool:
        return self.used_at is None and now < self.expires_at


class ChangeApprovalQuerySet(VisibleQuerySet):
    customer_path = "work_order__customer_id"


class ChangeApproval(models.Model):
    """The customer's approval of a change to their equipment or parameters, asked before it is made."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="change_approvals"
    )
    description = models.TextField(
        _("change"), help_text=_("What will be changed, why, the risk and how to roll back.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by_name = models.CharField(_("name of the approver"), max_length=100, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("comment"), blank=True)

    objects = ChangeApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("change approval")
        verbose_name_plural = _("change approvals")
        ordering = ["requested_at", "id"]

    def __str__(self):
        return f"{self.work_order}: {self.get_status_display()}"


class VendorCase(models.Model):
    """A case opened with the original vendor (原厂) inside a ticket, so the vendor's delays are visible."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="vendor_cases")
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField(_("vendor's case number"), max_length=100)
    contact_name = models.CharField(_("vendor contact"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    promised_response_at = models.DateTimeField(_("vendor promised a response by"), null=True, blank=True)
    promised_resolution_at = models.DateTimeField(_("vendor promised a fix by"), null=True, blank=True)
    responded_at = models.DateTimeField(_("vendor responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("vendor fixed it at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=VendorCaseStatus.choices, default=VendorCaseStatus.OPEN
    )

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("vendor case")
        verbose_name_plural = _("vendor cases")
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "case_number"], name="vendor_case_number_unique"),
        ]

    def __str__(self):
        return f"{self.vendor} {self.case_number}"


class VendorCaseUpdate(models.Model):
    """Progress on a vendor case: what the vendor said or did, and when."""

    case = models.ForeignKey(
        VendorCase, verbose_name=_("vendor case"), on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("progress"))

    class Meta:
        verbose_name = _("vendor case update")
        verbose_name_plural = _("vendor case updates")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case} {self.at:%Y-%m-%d %H:%M}"


class RemoteCredentialQuerySet(StaffOnlyQuerySet):
    def lent_by(self, user):
        """What a user may act on as the lender: staff see every credential, a customer user their
        organisation's (to record that a password was changed; never to read it)."""
        if user is not None and user.is_authenticated and user.is_active and user.is_customer_user:
            return self.filter(customer_id=user.customer_id or 0)
        return self.visible_to(user)


class RemoteCredential(TimeStampedModel):
    """Remote-access credentials a customer lends for a job; the password is stored only encrypted."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="remote_credentials"
    )
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credentials",
    )
    system = models.CharField(_("system"), max_length=200, help_text=_("E.g. 公积金核心数据库 (Oracle RAC)."))
    address = models.CharField(_("address"), max_length=300, help_text=_("Host, IP, VPN or jump server."))
    username = models.CharField(_("user name"), max_length=100)
    password_token = models.TextField(_("encrypted password"), editable=False)
    lent_by = models.CharField(_("lent by"), max_length=100, help_text=_("The customer's person who gave the access."))
    valid_until = models.DateTimeField(_("valid until"))
    rotation_due = models.BooleanField(
        _("password to be changed"),
        default=False,
        help_text=_("Set when the job is done: the customer should change it."),
    )
    rotated_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = RemoteCredentialQuerySet.as_manager()

    class Meta:
        verbose_name = _("remote-access credential")
        verbose_name_plural = _("remote-access credentials")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.system} ({self.username})"

    def set_password(self, plaintext: str) -> None:
        self.password_token = crypto.encrypt(plaintext)

    def password(self) -> str:
        return crypto.decrypt(self.password_token)


class CredentialReveal(models.Model):
    """Audit of every time a lent password was shown, to whom and why."""

    credential = models.ForeignKey(
        RemoteCredential, verbose_name=_("credential"), on_delete=models.CASCADE, related_name="reveals"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("shown to"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    reason = models.CharField(_("reason"), max_length=200)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("credential reveal")
        verbose_name_plural = _("credential reveals")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.credential} → {self.user} {self.at:%Y-%m-%d %H:%M}"
