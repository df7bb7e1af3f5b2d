"""The quality loop: follow-ups (回访) and surveys, complaints (投诉) and quality-control reviews (质量检查).

Scores, once and for all (reports read them):
- Follow-up scores are 1–5, 5 best: overall satisfaction, response speed, the engineer's professionalism and
  attitude. Any of them at or below the rule's low-score threshold (default 2) makes the follow-up
  dissatisfied and opens a re-service ticket.
- QC reviews score response quality and service quality 1–5 (5 best) and give an overall score 0–100.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from aftersales.contracts.models import Contract
from aftersales.core.models import VisibleQuerySet
from aftersales.quality.choices import FollowUpStatus, ManagementPosition, Method, Outcome, SampleReason
from aftersales.tickets.choices import Kind
from aftersales.tickets.models import Ticket

SCORE_FIELDS = ("score_overall", "score_response_speed", "score_professionalism", "score_attitude")


def _score_field(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


def default_kinds() -> list[str]:
    return [kind for kind in Kind.values if kind != Kind.COMPLAINT]


def default_methods() -> list[str]:
    return [Method.PHONE, Method.SURVEY_LINK, Method.PORTAL]


class FollowUpRule(models.Model):
    """Which resolved tickets of a contract get a follow-up, how soon, and what share is called.

    `contract` empty is the default rule, used for tickets whose contract has none (and tickets without a
    contract). `kinds` lists ticket kinds (codes of tickets.Kind); `methods` the follow-up methods allowed,
    the first being the one planned. A ticket is sampled when a stable hash of its id falls below
    `sample_percent`, so a rerun of the sweep samples the same tickets.
    """

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_up_rules",
        help_text=_("Leave empty for the default rule."),
    )
    enabled = models.BooleanField(_("follow-ups on"), default=True)
    kinds = models.JSONField(_("ticket kinds"), default=default_kinds, blank=True)
    delay_hours = models.PositiveIntegerField(
        _("delay after resolution (hours)"), default=24, validators=[MaxValueValidator(24 * 90)]
    )
    sample_percent = models.PositiveSmallIntegerField(
        _("share followed up (%)"), default=100, validators=[MaxValueValidator(100)]
    )
    low_score_threshold = models.PositiveSmallIntegerField(
        _("low score threshold"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("A score at or below this reopens the matter with a re-service ticket."),
    )
    methods = models.JSONField(_("methods"), default=default_methods, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")
        constraints = [
            # One rule per contract and one default (a NULL contract counts as 0).
            models.UniqueConstraint(Coalesce("contract", models.Value(0)), name="follow_up_rule_one_per_contract"),
            models.CheckConstraint(condition=models.Q(sample_percent__lte=100), name="follow_up_rule_percent"),
            models.CheckConstraint(
                condition=models.Q(low_score_threshold__gte=1, low_score_threshold__lte=4),
                name="follow_up_rule_threshold",
            ),
        ]

    def __str__(self):
        return str(self.contract) if self.contract_id else str(_("Default follow-up rule"))

    @property
    def planned_method(self) -> str:
        return (self.methods or default_methods())[0]


class FollowUpQuerySet(VisibleQuerySet):
    customer_path = "ticket__customer_id"


class FollowUp(models.Model):
    """The follow-up of one resolved ticket (回访): planned by the sweep, answered by phone, visit or survey.

    `method` is the planned method until answered, then the method actually used. `outcome` is satisfied or
    dissatisfied when scores were given (dissatisfied when any score is at or below `low_score_threshold`,
    copied from the rule when planned), or unreachable/declined. Scores are 1–5, 5 best. `reservice_ticket`
    is the ticket opened because this follow-up was dissatisfied; that ticket gets its own follow-up.
    """

    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="follow_up")
    rule = models.ForeignKey(
        FollowUpRule, verbose_name=_("rule"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    sampled = models.BooleanField(_("sampled"), default=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.PENDING
    )
    method = models.CharField(pgettext_lazy("follow-up", "method"), max_length=20, choices=Method.choices)
    low_score_threshold = models.PositiveSmallIntegerField(_("low score threshold"), default=2)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quality controller"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    script_answers = models.JSONField(_("script answers"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    score_overall = _score_field(_("overall satisfaction"))
    score_response_speed = _score_field(_("response speed"))
    score_professionalism = _score_field(_("professionalism"))
    score_attitude = _score_field(_("attitude"))
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the customer answered through a survey link."),
    )
    reservice_ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("re-service ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reservice_of",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at", "id"], condition=models.Q(status="pending"), name="follow_up_worklist_idx"),
            models.Index(fields=["answered_at"], name="follow_up_answered_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    *(
                        models.Q(**{f"{name}__isnull": True}) | models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5})
                        for name in SCORE_FIELDS
                    )
                ),
                name="follow_up_scores_1_to_5",
            )
        ]

    def __str__(self):
        return f"{self.ticket.number}"

    @property
    def scores(self) -> list[int]:
        return [value for value in (getattr(self, name) for name in SCORE_FIELDS) if value is not None]


class SurveyLink(models.Model):
    """A one-time survey link sent to the ticket's contact; only its token's hash is stored."""

    follow_up = models.ForeignKey(
        FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="survey_links"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    sent_to = models.CharField(_("sent to"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")

    def __str__(self):
        return f"{self.follow_up} → {self.sent_to}"


class ManagementContact(models.Model):
    """A named person a complaint is escalated to at once, besides every active manager (总经理、技术总监、分管副总)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.CharField(_("position"), max_length=30, choices=ManagementPosition.choices)
    active = models.BooleanField(_("receives complaints"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint escalation contact")
        verbose_name_plural = _("complaint escalation contacts")
        ordering = ["position", "user"]

    def __str__(self):
        return f"{self.get_position_display()}: {self.user}"


class ComplaintQuerySet(VisibleQuerySet):
    customer_path = "ticket__customer_id"


class Complaint(models.Model):
    """The complaint record of a COMPLAINT-kind ticket (a major liability incident in seed 001).

    The ticket carries the complaint's SLA, status, root cause and corrective action; this record links the
    tickets and the people concerned and remembers whom it was escalated to and when.
    """

    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="complaint")
    related_tickets = models.ManyToManyField(
        Ticket, verbose_name=_("tickets concerned"), blank=True, related_name="complaints"
    )
    people_concerned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people concerned"), blank=True, related_name="complaints_concerning"
    )
    escalated_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("escalated to"), blank=True, related_name="complaints_escalated"
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return str(self.ticket)


class QcReviewQuerySet(VisibleQuerySet):
    """Staff only: customers never see internal quality reviews."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active or not user.is_staff_member:
            return self.none()
        return self


class QcReview(models.Model):
    """A quality-control review of one closed ticket (质量控制), sampled at random or targeted.

    Created unreviewed by the sampler (`reviewed_at` empty). `engineer` is whose work is reviewed: the
    engineer of the ticket's last finished work order, else the ticket's assignee. `response_minutes` is the
    wall-clock time from the request received to the solution proposed (the ticket resolved). Response
    quality (did the solution really solve the problem) and service quality (how well the engineer handled
    it) are 1–5, 5 best; `score` is the overall 0–100.
    """

    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="qc_review")
    sample_reason = models.CharField(_("sample reason"), max_length=20, choices=SampleReason.choices)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer reviewed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qc_reviews",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    response_minutes = models.PositiveIntegerField(_("response time (minutes)"), null=True, blank=True)
    response_quality = _score_field(_("response quality"))
    service_quality = _score_field(_("service quality"))
    score = models.PositiveSmallIntegerField(
        _("overall score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    comment = models.TextField(_("comment"), blank=True)
    sampled_at = models.DateTimeField(_("sampled at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = QcReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        ordering = ["-sampled_at", "-id"]
        indexes = [
            models.Index(fields=["sampled_at", "id"], condition=models.Q(reviewed_at__isnull=True), name="qc_todo_idx"),
            models.Index(fields=["engineer", "reviewed_at"], name="qc_engineer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(score__isnull=True) | models.Q(score__lte=100))
                & (models.Q(response_quality__isnull=True) | models.Q(response_quality__gte=1, response_quality__lte=5))
                & (models.Q(service_quality__isnull=True) | models.Q(service_quality__gte=1, service_quality__lte=5)),
                name="qc_review_scores_in_range",
            )
        ]

    def __str__(self):
        return f"{self.ticket.number}"
