"""Optimistic concurrency for records with a `version` (tickets, work orders): one rule for both."""

from collections.abc import Sequence

from aftersales.core.errors import Conflict


def locked_for_update(instance, version: int | None):
    """Re-read the record under a row lock and refuse a stale version (HTTP 409)."""
    current = type(instance).objects.select_for_update().get(pk=instance.pk)
    if version is not None and current.version != version:
        raise Conflict(detail={"version": current.version})
    return current


def save_new_version(instance, fields: Sequence[str]) -> None:
    instance.version += 1
    instance.save(update_fields=[*fields, "version", "updated_at"])
