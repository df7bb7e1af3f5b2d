"""Finding entries: one definition of a match, two engines that answer it exactly.

A query is split into words (see `text.query_words`); an entry matches when every word (one of its
forms) is a substring of one of its fields. Each engine returns exactly what a substring scan returns
(the recall test compares them on both databases):

- PostgreSQL: words of three or more characters with `text LIKE '%word%'`, which the trigram GIN
  index (pg_trgm) answers and PostgreSQL rechecks; one- and two-character words with
  `string_to_array(grams, ' ') @> ARRAY[words]` on the GIN index of the application-kept grams,
  rechecked with strpos() (see `_postgresql_matching`).
- SQLite: words of three or more characters through the FTS5 trigram table (a phrase MATCH);
  every word rechecked with `instr(text, word) > 0`. A query of short words only scans the entries of
  the kind (and customer): fine for the installations SQLite serves.

Tenancy: customer users' entries are pre-filtered by their customer (for a shared kind, to the entries
customers may see); every hit shown is then confirmed through the registration's `visible_queryset`.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Least, StrIndex
from django.db.models.lookups import GreaterThan

from aftersales.search.models import SearchEntry
from aftersales.search.registry import Registration, registration_for, registrations
from aftersales.search.text import Word, query_words

COUNT_CAP = 1000  # counts above this read "1000+": counting every match of a common word costs a scan
TRIGRAM = 3
NEWEST_FIRST = ("-ordered_at", "-object_id")
FTS_TABLE = "search_entry_fts"


# --- matching ------------------------------------------------------------------------------------


class GramsContain(Func):
    """`string_to_array(grams, ' ') @> ARRAY[...]`: the expression of the gram GIN index (PostgreSQL only)."""

    output_field = BooleanField()

    def __init__(self, grams: list[str]):
        super().__init__(F("grams"))
        self.grams = list(grams)

    def as_sql(self, compiler, connection, **extra_context):
        column, parameters = compiler.compile(self.source_expressions[0])
        placeholders = ", ".join(["%s"] * len(self.grams))
        return f"string_to_array({column}, ' ') @> ARRAY[{placeholders}]::text[]", (*parameters, *self.grams)


def _postgresql_form(form: str) -> Q:
    if len(form) >= TRIGRAM:
        return Q(text__contains=form)  # LIKE '%form%' (escaped): the trigram index, rechecked by PostgreSQL
    return _contains(form)


def _contains(form: str) -> Q:
    """The plain substring test: instr() on SQLite, strpos() on PostgreSQL."""
    return Q(GreaterThan(StrIndex(F("text"), Value(form)), 0))


def _fts_phrase(form: str) -> str:
    return '"' + form.replace('"', '""') + '"'


def _postgresql_matching(entries: QuerySet, words: list[Word]) -> QuerySet:
    """Short words through the grams and rechecked with strpos(), longer ones through LIKE and pg_trgm.

    All short words go into one `@>`, which the planner estimates from the gram index's statistics (most
    common elements, target raised in migration 0003), and one recheck, `LEAST(strpos(text, w1), ...) > 0`,
    which comes first in the WHERE clause. Where PostgreSQL walks the newest-first index instead of the
    gram index, strpos() (about 1.3 µs a row) rejects most rows before the gram array is built (about
    11 µs). One strpos() expression rather than a LIKE per word: the planner guesses a fixed third for
    it, once, instead of multiplying its estimate of the same fact into the gram estimate once per word,
    which made it take common words for rare ones and sort thousands of rows (bench/search.py, EXPLAIN).
    """
    short = [word.forms[0] for word in words if len(word.forms) == 1 and len(word.forms[0]) < TRIGRAM]
    if short:
        positions = [StrIndex(F("text"), Value(form)) for form in short]
        entries = entries.filter(GreaterThan(Least(*positions) if len(positions) > 1 else positions[0], 0))
    for word in words:
        if len(word.forms) == 1 and len(word.forms[0]) < TRIGRAM:
            continue
        condition = Q()
        for form in word.forms:
            condition |= _postgresql_form(form)
        entries = entries.filter(condition)
    if short:
        entries = entries.filter(GramsContain(short))
    return entries


def _sqlite_matching(entries: QuerySet, words: list[Word]) -> QuerySet:
    """Words of three or more characters through the FTS5 trigram table; every word rechecked with instr()."""
    for word in words:
        condition = Q()
        for form in word.forms:
            condition |= _contains(form)
        entries = entries.filter(condition)
    long_words = [word for word in words if word.shortest >= TRIGRAM]
    if long_words:
        expression = " AND ".join(
            "(" + " OR ".join(_fts_phrase(form) for form in word.forms) + ")" for word in long_words
        )
        match = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608  (a constant table)
        entries = entries.filter(pk__in=RawSQL(match, [expression]))  # noqa: S611  (the expression is a parameter)
    return entries


def matching(entries: QuerySet, words: list[Word]) -> QuerySet:
    """`entries` narrowed to those where every word matches."""
    if not words:
        return entries.none()
    if connection.vendor == "postgresql":
        return _postgresql_matching(entries, words)
    return _sqlite_matching(entries, words)


def _scoped(entries: QuerySet, registration: Registration, customer_id: int | None) -> QuerySet:
    """A customer's entries, or for a shared kind the entries customers may see; None: all (staff)."""
    if customer_id is None:
        return entries
    if registration.shared:
        return entries.filter(customer_id__isnull=True, customer_visible=True)
    return entries.filter(customer_id=customer_id)


def match_ids(kind: str, text: str, *, customer_id: int | None = None, limit: int | None = None) -> list[int]:
    """Ids of the `kind` objects matching `text`, newest first; with `customer_id`, what that customer's users
    may find (their own records, or for a shared kind those meant for customers).

    No visibility check beyond that: callers filter their own `visible_to(user)` queryset with `pk__in=`.
    """
    registration = registration_for(kind)
    entries = matching(_scoped(SearchEntry.objects.filter(kind=kind), registration, customer_id), query_words(text))
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
    entries = matching(_scoped(SearchEntry.objects.filter(kind=registration.kind), registration, scope), words)
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
