"""Who reads KPIs: managers, quality controllers and administrators read everyone's; an engineer reads their own."""

from aftersales.accounts.roles import Role

KPI_READERS = frozenset({Role.MANAGER, Role.QUALITY, Role.ADMIN})
# Engineers and experts hold tickets, so they have figures of their own to read.
OWN_KPI_ROLES = frozenset({Role.ENGINEER, Role.EXPERT})


def reads_every_kpi(user) -> bool:
    if not user.is_authenticated or not user.is_active or user.is_customer_user:
        return False
    return user.is_superuser or user.role in KPI_READERS


def reads_own_kpi(user) -> bool:
    """An engineer or expert, who may read their own figures (and nobody else's)."""
    return user.is_authenticated and user.is_active and user.role in OWN_KPI_ROLES


def may_read_kpis_of(user, engineer) -> bool:
    return reads_every_kpi(user) or (reads_own_kpi(user) and engineer.pk == user.pk)
