"""The follow-up rules: the default and one per contract (also in the admin)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from aftersales.contracts.models import Contract
from aftersales.quality.forms import FollowUpRuleForm
from aftersales.quality.models import FollowUpRule
from aftersales.quality.services.common import may_configure, may_follow_up
from aftersales.quality.services.rules import rule_save


@login_required
def rule_list_view(request):
    if not (may_configure(request.user) or may_follow_up(request.user)):
        raise Http404
    rules = FollowUpRule.objects.select_related("contract__customer").order_by("contract__number")
    contracts = Contract.objects.select_related("customer").order_by("-end_date", "number")[:200]
    context = {"rules": list(rules), "contracts": contracts, "can_edit": may_configure(request.user)}
    return render(request, "quality/rule_list.html", context)


@login_required
def rule_edit_view(request, contract_pk: int | None = None):
    if not may_configure(request.user):
        raise Http404
    contract = get_object_or_404(Contract, pk=contract_pk) if contract_pk is not None else None
    rule = FollowUpRule.objects.filter(contract=contract).first() or FollowUpRule(contract=contract)
    form = FollowUpRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        rule_save(actor=request.user, form=form)
        messages.success(request, _("The follow-up rule is saved."))
        return redirect("quality_rules")
    return render(request, "quality/rule_edit.html", {"form": form, "contract": contract})


urlpatterns = [
    path("quality/rules/", rule_list_view, name="quality_rules"),
    path("quality/rules/default/", rule_edit_view, name="quality_rule_default"),
    path("quality/rules/contract/<int:contract_pk>/", rule_edit_view, name="quality_rule_contract"),
]
