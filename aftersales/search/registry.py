"""What is searchable: each app registers its own models, so this app (just above core) imports none of them.

An app calls `register(...)` from its `search_index.py`, imported by its `AppConfig.ready()`. Registering
connects the model's post_save and post_delete signals (and those of the models whose text it includes,
`Dependent`), which keep the model's `SearchEntry` rows current in the saving transaction.

Signals are an explicit exception to "no signals for domain logic": keeping an index in step with its
source is infrastructure, like a database index, and must not depend on every service remembering it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class Dependent:
    """Another model whose text is part of the registered one's (a ticket's public comments).

    `parent_ids_of(instance)` names the registered objects to reindex when `instance` is saved or
    deleted; a save whose `update_fields` touch none of `fields` is skipped.
    """

    model: type[models.Model]
    fields: frozenset[str]
    parent_ids_of: Callable[[models.Model], Iterable[int]]


@dataclass(frozen=True)
class Registration:
    kind: str
    model: type[models.Model]
    label: str  # plural, lazily translated ("Tickets")
    position: int  # where its group appears on the results page
    text_of: Callable[[models.Model], Iterable[str]]  # the fields users may find it by; never internal text
    title_of: Callable[[models.Model], str]
    ordered_at_of: Callable[[models.Model], object]  # newest first
    customer_id_of: Callable[[models.Model], int | None]  # None: provider-wide (an article)
    url_of: Callable[[int, int | None], str]  # (object id, customer id) -> the page that shows it
    fields: frozenset[str]  # saves whose update_fields miss all of these leave the entry alone
    visible_queryset: Callable[[object], models.QuerySet]  # (user) -> what the user may see; hits are confirmed here
    # Entries belong to no customer (knowledge articles): customer users find those flagged customer-visible.
    shared: bool = False
    customer_visible_of: Callable[[models.Model], bool] = lambda instance: True
    include: Callable[[models.Model], bool] = lambda instance: True  # False: no entry (a draft)
    prepare: Callable[[models.QuerySet], models.QuerySet] = lambda queryset: queryset  # bulk reindex's prefetching
    dependents: tuple[Dependent, ...] = field(default=())


_registrations: dict[str, Registration] = {}


def register(
    kind: str,
    model: type[models.Model],
    *,
    label: str,
    position: int,
    text_of: Callable[[models.Model], Iterable[str]],
    title_of: Callable[[models.Model], str],
    ordered_at_of: Callable[[models.Model], object],
    customer_id_of: Callable[[models.Model], int | None],
    url_of: Callable[[int, int | None], str],
    fields: Iterable[str],
    visible_queryset: Callable[[object], models.QuerySet] | None = None,
    shared: bool = False,
    customer_visible_of: Callable[[models.Model], bool] | None = None,
    include: Callable[[models.Model], bool] | None = None,
    prepare: Callable[[models.QuerySet], models.QuerySet] | None = None,
    dependents: Iterable[Dependent] = (),
) -> Registration:
    """Make `model` searchable as `kind`; `visible_queryset` defaults to `model.objects.visible_to(user)`.

    Entries of a kind either all belong to a customer (`customer_id_of` returns its id; customer users are
    pre-filtered to their own) or, with `shared=True`, to none (customer users see those for which
    `customer_visible_of` is true). Keeping the two apart lets a customer's search use the customer's
    own newest-first index instead of an OR that no index answers in order."""
    from aftersales.search import indexing

    registration = Registration(
        kind=kind,
        model=model,
        label=label,
        position=position,
        text_of=text_of,
        title_of=title_of,
        ordered_at_of=ordered_at_of,
        customer_id_of=customer_id_of,
        url_of=url_of,
        fields=_with_attnames(model, fields),
        visible_queryset=visible_queryset or (lambda user: model.objects.visible_to(user)),
        shared=shared,
        customer_visible_of=customer_visible_of or Registration.customer_visible_of,
        include=include or Registration.include,
        prepare=prepare or Registration.prepare,
        dependents=tuple(
            Dependent(dependent.model, _with_attnames(dependent.model, dependent.fields), dependent.parent_ids_of)
            for dependent in dependents
        ),
    )
    existing = _registrations.get(kind)
    if existing is not None and existing.model is not model:
        raise ValueError(f"Search kind {kind!r} is already registered for {existing.model.__name__}.")
    _registrations[kind] = registration
    indexing.connect(registration)
    return registration


def _with_attnames(model: type[models.Model], names: Iterable[str]) -> frozenset[str]:
    """update_fields may name a foreign key as `customer` or `customer_id`; accept both."""
    names = set(names)
    for name in list(names):
        model_field = model._meta.get_field(name)
        names.add(getattr(model_field, "attname", name))
    return frozenset(names)


def registration_for(kind: str) -> Registration:
    return _registrations[kind]


def registrations() -> list[Registration]:
    """Every registration, in the order their groups appear."""
    return sorted(_registrations.values(), key=lambda registration: (registration.position, registration.kind))
