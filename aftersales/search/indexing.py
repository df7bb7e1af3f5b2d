"""Keeping `SearchEntry` rows in step with the objects they describe.

Saves and deletes reach it through signals connected by `registry.register` (in the saving
transaction, so an entry is never committed without its object or the other way round). Writes that
send no signals (`bulk_create`, `QuerySet.update`, raw SQL) are caught up by `reindex()`, which the
`search_reindex` command runs: call it after such a load.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models.signals import post_delete, post_save

from aftersales.search import text as search_text
from aftersales.search.models import SearchEntry

BATCH_SIZE = 1000
ENTRY_FIELDS = ("customer_id", "customer_visible", "title", "ordered_at", "text", "grams")
TITLE_LENGTH = SearchEntry._meta.get_field("title").max_length


def connect(registration) -> None:
    uid = f"search:{registration.kind}"
    post_save.connect(_saved, sender=registration.model, dispatch_uid=f"{uid}:save", weak=False)
    post_delete.connect(_deleted, sender=registration.model, dispatch_uid=f"{uid}:delete", weak=False)
    for number, dependent in enumerate(registration.dependents):
        post_save.connect(
            _dependent_changed, sender=dependent.model, dispatch_uid=f"{uid}:dependent{number}:save", weak=False
        )
        post_delete.connect(
            _dependent_changed, sender=dependent.model, dispatch_uid=f"{uid}:dependent{number}:delete", weak=False
        )


def _registrations_of(model) -> list:
    from aftersales.search.registry import registrations

    return [registration for registration in registrations() if registration.model is model]


def _touches(fields: frozenset[str], update_fields) -> bool:
    # The SLA sweep saves tickets with only its cache fields: those saves must cost nothing here.
    return update_fields is None or not fields.isdisjoint(update_fields)


def _saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # fixtures: related rows may not be loaded yet; search_reindex catches up
        return
    for registration in _registrations_of(sender):
        if _touches(registration.fields, update_fields):
            index_objects(registration, [instance])


def _deleted(sender, instance, **kwargs):
    for registration in _registrations_of(sender):
        SearchEntry.objects.filter(kind=registration.kind, object_id=instance.pk).delete()


def _dependent_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    from aftersales.search.registry import registrations

    if raw:
        return
    for registration in registrations():
        for dependent in registration.dependents:
            if dependent.model is sender and _touches(dependent.fields, update_fields):
                index_ids(registration, dependent.parent_ids_of(instance))


def entry_for(registration, instance) -> SearchEntry | None:
    """The entry `instance` should have, or None when it should have none."""
    if not registration.include(instance):
        return None
    body = search_text.document(registration.text_of(instance))
    customer_id = None if registration.shared else registration.customer_id_of(instance)
    return SearchEntry(
        kind=registration.kind,
        object_id=instance.pk,
        customer_id=customer_id,
        customer_visible=bool(registration.customer_visible_of(instance)),
        title=str(registration.title_of(instance))[:TITLE_LENGTH],
        ordered_at=registration.ordered_at_of(instance),
        text=body,
        grams=search_text.grams(body),
    )


def index_objects(registration, instances: Iterable[models.Model]) -> int:
    """Write the entries of `instances` (insert or update in one statement); remove those excluded."""
    entries, excluded = [], []
    for instance in instances:
        entry = entry_for(registration, instance)
        if entry is None:
            excluded.append(instance.pk)
        else:
            entries.append(entry)
    if excluded:
        SearchEntry.objects.filter(kind=registration.kind, object_id__in=excluded).delete()
    if entries:
        SearchEntry.objects.bulk_create(
            entries,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=ENTRY_FIELDS,
        )
    return len(entries)


def index_ids(registration, object_ids: Iterable[int]) -> None:
    """Reindex objects by id (read afresh); ids whose object is gone lose their entry."""
    object_ids = {object_id for object_id in object_ids if object_id is not None}
    if not object_ids:
        return
    instances = list(registration.prepare(registration.model._default_manager.filter(pk__in=object_ids)))
    index_objects(registration, instances)
    gone = object_ids - {instance.pk for instance in instances}
    if gone:
        SearchEntry.objects.filter(kind=registration.kind, object_id__in=gone).delete()


@dataclass
class ReindexResult:
    kind: str
    objects: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


def reindex(registration, *, dry_run: bool = False) -> ReindexResult:
    """Bring every entry of one kind in line with its objects: create, update, delete; count each."""
    result = ReindexResult(kind=registration.kind)
    manager = registration.model._default_manager
    last_pk = None
    while True:
        batch = manager.order_by("pk")
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        instances = list(registration.prepare(batch)[:BATCH_SIZE])
        if not instances:
            break
        last_pk = instances[-1].pk
        result.objects += len(instances)
        _reindex_batch(registration, instances, result, dry_run=dry_run)
    stale = SearchEntry.objects.filter(kind=registration.kind).exclude(object_id__in=manager.values("pk"))
    result.deleted += stale.count() if dry_run else stale.delete()[0]
    return result


def _reindex_batch(registration, instances, result: ReindexResult, *, dry_run: bool) -> None:
    stored = {
        row[0]: row[1:]
        for row in SearchEntry.objects.filter(
            kind=registration.kind, object_id__in=[instance.pk for instance in instances]
        ).values_list("object_id", *ENTRY_FIELDS)
    }
    changed, excluded = [], []
    for instance in instances:
        entry = entry_for(registration, instance)
        if entry is None:
            if instance.pk in stored:
                excluded.append(instance.pk)
            continue
        values = tuple(getattr(entry, name) for name in ENTRY_FIELDS)
        if instance.pk not in stored:
            result.created += 1
        elif stored[instance.pk] != values:
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        changed.append(entry)
    result.deleted += len(excluded)
    if dry_run:
        return
    if excluded:
        SearchEntry.objects.filter(kind=registration.kind, object_id__in=excluded).delete()
    if changed:
        SearchEntry.objects.bulk_create(
            changed,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=ENTRY_FIELDS,
        )


def index_unindexed_kinds(using="default", **kwargs) -> None:
    """After migrate: a kind with objects but no entry at all (search just installed, or a kind newly
    registered) is indexed now, so an upgraded installation finds its old records without a manual step.
    Later gaps (bulk loads) are `search_reindex`'s job; checking for them here would scan every table."""
    from django.db import connections

    from aftersales.search.registry import registrations

    if using != "default":
        return
    tables = set(connections[using].introspection.table_names())
    if SearchEntry._meta.db_table not in tables:
        return  # migrating search backwards
    for registration in registrations():
        if registration.model._meta.db_table not in tables:
            continue
        if (
            registration.model._default_manager.exists()
            and not SearchEntry.objects.filter(kind=registration.kind).exists()
        ):
            reindex(registration)
