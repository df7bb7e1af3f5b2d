"""Intake by fax, hotline and monitoring: the registers each channel keeps besides the tickets it opens."""

from aftersales.intake.models.fax import FaxReceipt, FaxSender, FaxSequence, WaitingReason

__all__ = ["FaxReceipt", "FaxSender", "FaxSequence", "WaitingReason"]
