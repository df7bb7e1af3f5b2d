from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.accounts.roles import VIEW_INTERNAL
from aftersales.assets.models import Product
from aftersales.core.models import TimeStampedModel
from aftersales.knowledge.choices import PROBLEM_TRANSITIONS, ArticleStatus, ProblemStatus
from aftersales.tickets.models import Ticket


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED)

    def visible_to(self, user):
        """Staff read every article, drafts included; customers read published articles meant for them."""
        if not _active(user):
            return self.none()
        if user.is_staff_member:
            return self
        if user.is_customer_user:
            return self.filter(status=ArticleStatus.PUBLISHED, visible_to_customers=True)
        return self.none()


class Article(TimeStampedModel):
    """A knowledge-base article: what the user sees, why it happens, what fixes it."""

    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    solution = models.TextField(_("solution"), blank=True, help_text=_("Needed before the article is published."))
    products = models.ManyToManyField(Product, verbose_name=_("products"), blank=True, related_name="articles")
    status = models.CharField(_("status"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    visible_to_customers = models.BooleanField(
        _("visible to customers"),
        default=False,
        help_text=_("Customers read the article in the portal once it is published."),
    )
    source_ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("written from ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_articles",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Counts of the feedback rows, kept by the feedback service so lists and suggestions rank without a join.
    helped_count = models.PositiveIntegerField(_("helped"), default=0, editable=False)
    not_helped_count = models.PositiveIntegerField(_("did not help"), default=0, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[products], excluded_fields=["helped_count", "not_helped_count"])

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "visible_to_customers", "-updated_at"], name="article_list_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("article_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleFeedback(models.Model):
    """One reader's "this helped" / "this did not help"; one vote per reader and article, changeable."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    helped = models.BooleanField(_("helped"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="article_feedback_once_per_user")]

    def __str__(self):
        return f"{self.article_id} {self.user_id} {'+' if self.helped else '-'}"


class ProblemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Problems are internal: staff who may see internal records read them, customers never."""
        if not _active(user) or not user.is_staff_member or not user.has_perm(VIEW_INTERNAL):
            return self.none()
        return self


class Problem(TimeStampedModel):
    """A problem (ITIL): the underlying cause of one or more incidents; a known error once diagnosed."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    root_cause = models.TextField(_("root cause"), blank=True)
    workaround = models.TextField(
        _("workaround"), blank=True, help_text=_("What restores service until the fix is in place.")
    )
    fix = models.TextField(_("permanent fix"), blank=True)
    products = models.ManyToManyField(Product, verbose_name=_("products"), blank=True, related_name="problems")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_problems",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    incidents = models.ManyToManyField(
        Ticket,
        verbose_name=_("incidents"),
        through="ProblemIncident",
        through_fields=("problem", "ticket"),
        related_name="problems",
        blank=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ProblemQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[products])

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "-updated_at"], name="problem_list_idx")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("problem_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"PRB-{self.pk:05d}" if self.pk else "PRB-"

    def can_transition_to(self, status: str) -> bool:
        return status in PROBLEM_TRANSITIONS.get(self.status, frozenset())


class ProblemIncident(models.Model):
    """An incident (ticket) caused by a problem: who linked it and when."""

    problem = models.ForeignKey(Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="problem_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("linked by"), on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked at"))

    # Unlinking deletes the row; its history keeps who linked and who unlinked, and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("linked incident")
        verbose_name_plural = _("linked incidents")
        ordering = ["-linked_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["problem", "ticket"], name="problem_incident_once")]
        indexes = [models.Index(fields=["ticket"], name="problem_incident_ticket_idx")]

    def __str__(self):
        return f"{self.problem_id} ← {self.ticket_id}"
