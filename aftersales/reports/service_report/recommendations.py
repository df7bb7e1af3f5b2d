"""The first draft of a report's "common problems and recommendations", written from its figures.

One sentence per finding, most serious first; staff rewrite them as they see fit before the report is released.
Call inside `translation.override(...)` for the language of the report (the PDF is Chinese).
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.sla.choices import Clock

# Below this share of a promise met, the report says what will be done about it.
COMPLIANCE_EXPECTED = 95.0
# A system available less than this (per cent of the period) is named.
AVAILABILITY_EXPECTED = 99.9
# Satisfied among the answered follow-ups below this share is named.
SATISFACTION_EXPECTED = 90.0
BULLET = "• "


def draft_recommendations(figures: dict) -> str:
    sentences = [
        *_compliance(figures),
        *_availability(figures),
        *_recurring(figures),
        *_customer_voice(figures),
    ]
    if not sentences:
        sentences.append(
            _("Every service target was met and no problem came back in this period; we will keep the same service.")
        )
    return "\n".join(f"{BULLET}{sentence}" for sentence in sentences)


def _compliance(figures: dict):
    for line in figures["sla"]["by_clock"]:
        if line["percent"] is None or line["percent"] >= COMPLIANCE_EXPECTED:
            continue
        yield _(
            "The %(clock)s target was met for %(percent).1f%% of requests (%(breached)d missed). We will review "
            "each missed case listed in this report with the engineers concerned and adjust staffing and "
            "dispatching so that it is met again."
        ) % {"clock": Clock(line["clock"]).label, "percent": line["percent"], "breached": line["breached"]}
    waiting = [
        breach
        for breach in figures["breaches"]
        if any(moment["what"] == "paused" for moment in breach.get("moments", []))
    ]
    if waiting:
        yield ngettext(
            "%(count)d missed target involved time spent waiting (for your staff, a vendor or parts); agreeing "
            "on a contact who can give access and decisions at any time would shorten such waits.",
            "%(count)d missed targets involved time spent waiting (for your staff, a vendor or parts); agreeing "
            "on a contact who can give access and decisions at any time would shorten such waits.",
            len(waiting),
        ) % {"count": len(waiting)}


def _availability(figures: dict):
    for system in figures["availability"]["systems"]:
        if system["availability"] >= AVAILABILITY_EXPECTED:
            continue
        name = system["name"] or _("Equipment not recorded on the tickets")
        yield ngettext(
            "%(system)s was available %(percent).3f%% of the period (%(outages)d outage). We recommend a "
            "preventive inspection of it and, if its faults come from wear, replacing the parts concerned.",
            "%(system)s was available %(percent).3f%% of the period (%(outages)d outages). We recommend a "
            "preventive inspection of it and, if its faults come from wear, replacing the parts concerned.",
            system["outages"],
        ) % {"system": name, "percent": system["availability"], "outages": system["outages"]}


def _recurring(figures: dict):
    common = figures["common_problems"]
    for asset in common["assets"][:3]:
        yield _(
            "%(asset)s (%(site)s) needed %(count)d requests in this period. We will look for the root cause "
            "rather than repair it again, and report what we find."
        ) % {"asset": asset["name"], "site": asset["site"], "count": asset["count"]}
    if common["terms"]:
        term = common["terms"][0]
        yield (
            _(
                "Requests about “%(term)s” came up %(count)d times. Short training for your users or a guide in the "
                "portal's knowledge base could answer many of them directly."
            )
            % term
        )


def _customer_voice(figures: dict):
    satisfaction = figures["satisfaction"]
    rate = satisfaction["satisfied_percent"]
    if rate is not None and rate < SATISFACTION_EXPECTED:
        yield _(
            "%(percent).1f%% of the follow-ups answered were satisfied. Every dissatisfied answer was served "
            "again; we will discuss the rest with your project lead."
        ) % {"percent": rate}
    complaints = figures["complaints"]
    if complaints["count"]:
        yield ngettext(
            "%(count)d complaint was received; its cause and the corrective action taken are listed in this report.",
            "%(count)d complaints were received; their causes and the corrective actions taken are listed in this "
            "report.",
            complaints["count"],
        ) % {"count": complaints["count"]}
