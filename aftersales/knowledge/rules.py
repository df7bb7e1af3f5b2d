"""Who may do what in the knowledge base: one place, from the role table's permissions."""

from aftersales.accounts import roles


def may_write_articles(user) -> bool:
    """Those who solve or supervise tickets write, correct and publish articles."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff_member
        and (user.has_perm(roles.WORK) or user.has_perm(roles.SUPERVISE))
    )


def may_manage_problems(user) -> bool:
    """Problem management is the same people's job: diagnosing the cause behind incidents and fixing it."""
    return may_write_articles(user)


def may_read_problems(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_staff_member and user.has_perm(roles.VIEW_INTERNAL)
    )
