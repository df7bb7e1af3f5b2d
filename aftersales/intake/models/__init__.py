"""Intake by fax, hotline and monitoring: the registers each channel keeps besides the tickets it opens."""

from aftersales.intake.models.alerts import Alert, AlertHost, AlertSource, AlertStatus, SourceKind
from aftersales.intake.models.calls import CallOutcome, IncomingCall, PhoneExtension, TelephoneSystem
from aftersales.intake.models.fax import FaxReceipt, FaxSender, FaxSequence, WaitingReason

__all__ = [
    "Alert",
    "AlertHost",
    "AlertSource",
    "AlertStatus",
    "CallOutcome",
    "FaxReceipt",
    "FaxSender",
    "FaxSequence",
    "IncomingCall",
    "PhoneExtension",
    "SourceKind",
    "TelephoneSystem",
    "WaitingReason",
]
