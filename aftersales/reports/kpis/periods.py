"""The KPI periods are the reports' periods (`aftersales.reports.periods`); this name stays only for the demo's
tests, which still import it, and goes when they move."""

from aftersales.reports.periods import Period

__all__ = ["Period"]
