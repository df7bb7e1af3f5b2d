"""Which follow-up rule applies to a ticket, and whether the ticket is sampled. Pure reads, no writes."""

from aftersales.quality.models import FollowUpRule
from aftersales.quality.services.common import stable_percentile


class RuleBook:
    """Every rule, read once for a batch: the contract's own rule, else the default, else the built-in one."""

    def __init__(self):
        rules = list(FollowUpRule.objects.all())
        self.by_contract = {rule.contract_id: rule for rule in rules if rule.contract_id is not None}
        self.default = next((rule for rule in rules if rule.contract_id is None), None) or FollowUpRule()

    def for_ticket(self, ticket) -> FollowUpRule:
        return self.by_contract.get(ticket.contract_id, self.default)


def is_sampled(*, ticket_id: int, percent: int) -> bool:
    """Deterministic per ticket, so a rerun of the sweep (or another worker) samples the same tickets."""
    return stable_percentile("follow-up", ticket_id) < percent


def applies(rule: FollowUpRule, kind: str) -> bool:
    return rule.enabled and kind in (rule.kinds or [])
