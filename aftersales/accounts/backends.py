from django.contrib.auth.backends import ModelBackend

from aftersales.accounts.roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Authenticates like ModelBackend and adds the permissions of the user's role."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return super().get_all_permissions(user_obj) | ROLE_PERMISSIONS.get(user_obj.role, frozenset())
