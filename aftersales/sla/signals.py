"""Told when SLA rules change, so the apps above (tickets) can recompute their open clocks.

A signal because the rules live below the tickets in the layers: sla cannot import tickets.
"""

from django.dispatch import Signal

sla_rules_changed = Signal()
