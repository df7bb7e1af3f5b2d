"""Saving a follow-up rule (the staff page; the admin saves through its own form)."""

from django.db import transaction

from aftersales.core.errors import PermissionDenied
from aftersales.quality.models import FollowUpRule
from aftersales.quality.services.common import may_configure


@transaction.atomic
def rule_save(*, actor, form) -> FollowUpRule:
    """Save a validated FollowUpRuleForm; new follow-ups use it, planned ones keep what they were planned with."""
    if not may_configure(actor):
        raise PermissionDenied()
    return form.save()
