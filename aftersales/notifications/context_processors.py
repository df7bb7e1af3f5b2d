from aftersales.notifications.selectors import unread_count


def notifications(request) -> dict:
    """The bell's unread count for signed-in users: a callable, so only pages that show the bell run the query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": lambda: unread_count(user=user)}
