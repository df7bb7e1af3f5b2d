from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VisibleQuerySet(models.QuerySet):
    """A tenant-owned queryset. `customer_path` names the lookup to the owning customer's id."""

    customer_path = "customer_id"

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_customer_user:
            if not user.customer_id:
                return self.none()
            return self.filter(**{self.customer_path: user.customer_id})
        if user.is_staff_member:
            return self
        return self.none()
