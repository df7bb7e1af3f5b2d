"""Finding entries: one definition of a match, two engines that answer it exactly.

A query is split into words (see `text.query_words`); an entry matches when every word (one of its
forms) is a substring of one of its fields. The engines only find candidates fast; every candidate
is rechecked with a plain substring test, so what they return equals a substring scan:

- PostgreSQL: words of three or more characters with `text LIKE '%word%'`, which the trigram GIN
  index (pg_trgm) answers; one- and two-character words with `string_to_array(grams, ' ') @> ARRAY[word]`
  on the GIN index of the application-kept grams, plus the LIKE recheck.
- SQLite: words of three or more characters through the FTS5 trigram table (a phrase MATCH);
  every word rechecked with `instr(text, word) > 0`. A query of short words only scans the entries of
  the kind (and customer): fine for the installations SQLite serves.

Tenancy: customer users' entries are pre-filtered by their customer (and provider-wide entries that
customers may see); every hit shown is then confirmed through the registration's `visible_queryset`.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from aftersales.search.models import SearchEntry
from aftersales.search.registry import Registration, registration_for, registrations
from aftersales.search.text import Word, query_words

COUNT_CAP = 1000  # counts above this read "1000+": counting every match of a common word costs a scan
TRIGRAM = 3
NEWEST_FIRST = ("-ordered_at", "-object_id")
FTS_TABLE = "search_entry_fts"


# --- matching ------------------------------------------------------------------------------------


def _postgresql_form(form: str) -> Q:
    contains = Q(text__contains=form)  # LIKE '%form%' (escaped): the trigram index, and the exact recheck
    if len(form) >= TRIGRAM:
        return contains
    grams = RawSQL(  # noqa: S611  (a column name from the model; the gram is a parameter)
        f"string_to_array({_column('grams')}, ' ') @> ARRAY[%s]::text[]", [form], output_field=BooleanField()
    )
    return Q(grams) & contains


def _sqlite_form(form: str) -> Q:
    return Q(GreaterThan(StrIndex(F("text"), Value(form)), 0))


def _column(name: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(SearchEntry._meta.db_table)}.{quote(name)}"


def _fts_phrase(form: str) -> str:
    return '"' + form.replace('"', '""') + '"'


def matching(entries: QuerySet, words: list[Word]) -> QuerySet:
    """`entries` narrowed to those where every word matches."""
    if not words:
        return entries.none()
    postgresql = connection.vendor == "postgresql"
    for word in words:
        condition = Q()
        for form in word.forms:
            condition |= _postgresql_form(form) if postgresql else _sqlite_form(form)
        entries = entries.filter(condition)
    if not postgresql:
        long_words = [word for word in words if word.shortest >= TRIGRAM]
        if long_words:
            expression = " AND ".join(
                "(" + " OR ".join(_fts_phrase(form) for form in word.forms) + ")" for word in long_words
            )
            match = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608  (a constant table)
            candidates = RawSQL(match, [expression])  # noqa: S611  (the expression is a parameter)
            entries = entries.filter(pk__in=candidates)
    return entries


def _scoped(entries: QuerySet, customer_id: int | None) -> QuerySet:
    if customer_id is None:
        return entries
    return entries.filter(Q(customer_id=customer_id) | Q(customer_id__isnull=True, customer_visible=True))


def match_ids(kind: str, text: str, *, customer_id: int | None = None, limit: int | None = None) -> list[int]:
    """Ids of the `kind` objects matching `text`, newest first; with `customer_id`, that customer's only.

    No visibility check beyond the customer: callers filter their own `visible_to(user)` queryset
    with `pk__in=`.
    """
    registration_for(kind)  # an unknown kind is a programming error
    entries = matching(_scoped(SearchEntry.objects.filter(kind=kind), customer_id), query_words(text))
    ids = entries.order_by(*NEWEST_FIRST).values_list("object_id", flat=True)
    return list(ids[:limit] if limit is not None else ids)


# --- searching as a user -------------------------------------------------------------------------

NOBODY = object()


def _customer_scope(user):
    """The customer a user's entries are pre-filtered by: None for staff (all), NOBODY for no one."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    if user.is_customer_user:
        return user.customer_id or NOBODY
    return None if user.is_staff_member else NOBODY


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    url: str
    ordered_at: datetime


@dataclass
class Group:
    kind: str
    label: str
    count: int  # at most COUNT_CAP
    hits: list[Hit] = field(default_factory=list)
    page_number: int = 1
    has_next: bool = False

    @property
    def count_is_capped(self) -> bool:
        return self.count >= COUNT_CAP

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1


@dataclass
class Results:
    query: str
    words: list[Word]
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


def _group(user, registration: Registration, words: list[Word], *, size: int, page_number: int) -> Group:
    scope = _customer_scope(user)
    group = Group(kind=registration.kind, label=str(registration.label), count=0, page_number=page_number)
    if scope is NOBODY or not words:
        return group
    entries = matching(_scoped(SearchEntry.objects.filter(kind=registration.kind), scope), words)
    group.count = entries.values("pk")[:COUNT_CAP].count()
    offset = (page_number - 1) * size
    if group.count <= offset and not group.count_is_capped:
        return group
    rows = list(
        entries.order_by(*NEWEST_FIRST).values_list("object_id", "customer_id", "title", "ordered_at")[
            offset : offset + size + 1
        ]
    )
    group.has_next = len(rows) > size
    rows = rows[:size]
    # Always confirmed: the pre-filter is an optimisation, the model's own scoping decides.
    visible = set(
        registration.visible_queryset(user)
        .filter(pk__in=[row[0] for row in rows])
        .values_list("pk", flat=True)
        .order_by()
    )
    group.hits = [
        Hit(registration.kind, object_id, title, registration.url_of(object_id, customer_id), ordered_at)
        for object_id, customer_id, title, ordered_at in rows
        if object_id in visible
    ]
    return group


def search(user, text: str, *, kinds: list[str] | None = None, limit_per_kind: int = 5) -> Results:
    """The first `limit_per_kind` hits (newest first) and a capped count of every kind `user` may search."""
    words = query_words(text)
    chosen = [registration for registration in registrations() if kinds is None or registration.kind in kinds]
    groups = [_group(user, registration, words, size=limit_per_kind, page_number=1) for registration in chosen]
    return Results(query=text, words=words, groups=groups)


def search_kind(user, text: str, *, kind: str, page_number: int = 1, page_size: int = 20) -> Results:
    """One page of one kind's hits, newest first."""
    words = query_words(text)
    group = _group(user, registration_for(kind), words, size=page_size, page_number=max(page_number, 1))
    return Results(query=text, words=words, groups=[group])
