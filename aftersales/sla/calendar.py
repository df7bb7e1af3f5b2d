"""Business-time arithmetic: weekly working intervals plus dated exceptions, in one time zone.

Pure Python (no Django, no database), so clocks, reports and benchmarks can replay it anywhere.

The definition everything here must agree with: an instant is business time iff its local
wall-clock time in the calendar's zone falls inside one of the intervals of its local date
(that date's exception if it has one, else its weekday's intervals). An interval [a, b) of a
date covers the instants whose local time t on that date satisfies a <= t < b, so a DST gap
shortens it and a fold lengthens it.

The walk goes date by date and interval by interval, turning each interval into UTC ranges;
dates without intervals cost a dictionary look-up, and no step is ever a minute.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

Interval = tuple[int, int]  # minutes since local midnight, 0 <= start < end <= 1440

MINUTES_PER_DAY = 1440
ALL_DAY_WEEK: tuple[tuple[Interval, ...], ...] = (((0, MINUTES_PER_DAY),),) * 7
SHANGHAI = ZoneInfo("Asia/Shanghai")

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)
# No UTC offset reaches a day, so every instant of a local date lies within a day either side
# of that date's midnight read as UTC. The tz database never changes offset twice within ~4
# days (its closest pair is 3.99 days apart), so such a 3-day window holds at most one change.
WINDOW_MARGIN = ONE_DAY
# Far enough that a real calendar always has working time in it, near enough to fail fast.
NO_WORKING_TIME_HORIZON_DAYS = 5 * 366

Span = tuple[timedelta, timedelta]  # an interval as offsets from local midnight
UtcRange = tuple[datetime, datetime]  # naive UTC [start, end)


@dataclass(frozen=True, eq=False)
class Calendar:
    zone: ZoneInfo = SHANGHAI
    week: tuple[tuple[Interval, ...], ...] = ALL_DAY_WEEK  # 7 entries, Monday first
    exceptions: Mapping[date, tuple[Interval, ...]] = field(default_factory=dict)  # () = a day off
    _week_spans: tuple[tuple[Span, ...], ...] = field(init=False, repr=False)
    _exception_spans: dict[date, tuple[Span, ...]] = field(init=False, repr=False)
    _always: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.zone, tzinfo):
            raise ValueError(f"zone must be a time zone (ZoneInfo), got {self.zone!r}")
        week = tuple(self.week)
        if len(week) != 7:
            raise ValueError(f"week must have 7 days, Monday first; got {len(week)}")
        week = tuple(_checked_intervals(day, WEEKDAY_NAMES[index]) for index, day in enumerate(week))
        exceptions = {
            _checked_date(day): _checked_intervals(day_intervals, str(day))
            for day, day_intervals in self.exceptions.items()
        }
        # Copies, so a caller mutating its dict later cannot change a calendar in use.
        object.__setattr__(self, "week", week)
        object.__setattr__(self, "exceptions", exceptions)
        object.__setattr__(self, "_week_spans", tuple(_spans(intervals) for intervals in week))
        object.__setattr__(self, "_exception_spans", {day: _spans(intervals) for day, intervals in exceptions.items()})
        # Every instant counts: business time is elapsed time, whatever the zone does (the SLA sweep's common case).
        always = week == ALL_DAY_WEEK and all(day == ((0, MINUTES_PER_DAY),) for day in exceptions.values())
        object.__setattr__(self, "_always", always)

    @classmethod
    def always(cls, zone: ZoneInfo = SHANGHAI) -> Calendar:
        """7x24x365: every instant is business time, holidays included."""
        return cls(zone=zone)

    @property
    def is_always(self) -> bool:
        """Every instant is business time (7x24x365)."""
        return self._always

    def _spans_on(self, day: date) -> tuple[Span, ...]:
        spans = self._exception_spans.get(day)
        return self._week_spans[day.weekday()] if spans is None else spans


def add_business_time(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The earliest instant at which `duration` of business time has elapsed since `start`.

    duration <= 0 returns start. Aware datetimes only (ValueError on naive). Result in UTC.
    If the work completes exactly at an interval's end, that end is returned (not the next
    start). ValueError if the calendar has no working time within ~5 years.
    """
    begin = _naive_utc(start, "start")
    if duration <= ZERO:
        return begin.replace(tzinfo=UTC)
    if calendar._always:
        return (begin + duration).replace(tzinfo=UTC)
    remaining = duration
    for range_start, range_end in _business_ranges(calendar, begin):
        counted_from = max(range_start, begin)
        available = range_end - counted_from
        if available <= ZERO:
            continue
        if remaining <= available:
            return (counted_from + remaining).replace(tzinfo=UTC)
        remaining -= available
    raise AssertionError("an unbounded walk either finds the time or raises")


def business_time_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Business time in [start, end); timedelta(0) when end <= start."""
    begin = _naive_utc(start, "start")
    finish = _naive_utc(end, "end")
    total = ZERO
    if finish <= begin:
        return total
    if calendar._always:
        return finish - begin
    for range_start, range_end in _business_ranges(calendar, begin, stop=finish):
        if range_start >= finish:
            break
        overlap = min(range_end, finish) - max(range_start, begin)
        if overlap > ZERO:
            total += overlap
    return total


def _business_ranges(calendar: Calendar, begin: datetime, stop: datetime | None = None) -> Iterator[UtcRange]:
    """Business time as sorted, disjoint naive-UTC ranges, from around `begin` onwards.

    Starts a local date early because a fold can carry the previous date past `begin`.
    Bounded by `stop` when given; otherwise endless, unless ~5 years pass without working time.
    """
    zone = calendar.zone
    day = _local_date(zone, begin) - ONE_DAY
    last_working_day = day
    pending: list[UtcRange] = []
    while True:
        if not pending:
            if stop is not None and _midnight(day) - WINDOW_MARGIN >= stop:
                return
            if stop is None and (day - last_working_day).days > NO_WORKING_TIME_HORIZON_DAYS:
                raise ValueError(f"the calendar has no working time in the 5 years after {last_working_day}")
        spans = calendar._spans_on(day)
        straddles_midnight = False
        if spans:
            ranges, straddles_midnight = _day_ranges(zone, day, spans)
            if ranges:
                pending.extend(ranges)
                last_working_day = day
        # A fold across midnight interleaves this date's ranges with the next one's: sort both together.
        if pending and not straddles_midnight:
            pending.sort()
            yield from pending
            pending = []
        day += ONE_DAY


def _day_ranges(zone: tzinfo, day: date, spans: tuple[Span, ...]) -> tuple[list[UtcRange], bool]:
    """The UTC ranges of one local date's intervals, and whether a fold straddles its end."""
    midnight = _midnight(day)
    window_start = midnight - WINDOW_MARGIN
    window_end = midnight + ONE_DAY + WINDOW_MARGIN
    offset_before = _utc_offset(zone, window_start)
    offset_after = _utc_offset(zone, window_end)
    if offset_before == offset_after:
        base = midnight - offset_before
        return [(base + span_start, base + span_end) for span_start, span_end in spans], False
    transition = _transition_between(zone, window_start, window_end, offset_after)
    ranges = _ranges_until(midnight - offset_before, spans, transition)
    ranges += _ranges_from(midnight - offset_after, spans, transition)
    next_midnight = midnight + ONE_DAY
    straddles_midnight = transition + offset_after < next_midnight < transition + offset_before
    return ranges, straddles_midnight


def _ranges_until(base: datetime, spans: tuple[Span, ...], transition: datetime) -> list[UtcRange]:
    return [
        (base + span_start, min(base + span_end, transition))
        for span_start, span_end in spans
        if base + span_start < transition
    ]


def _ranges_from(base: datetime, spans: tuple[Span, ...], transition: datetime) -> list[UtcRange]:
    return [
        (max(base + span_start, transition), base + span_end)
        for span_start, span_end in spans
        if base + span_end > transition
    ]


def _transition_between(zone: tzinfo, low: datetime, high: datetime, offset_after: timedelta) -> datetime:
    """The first instant in (low, high] whose UTC offset is `offset_after`.

    Bisects whole seconds: tz database transitions fall on whole seconds, and `low` is one.
    """
    low_seconds, high_seconds = 0, int((high - low).total_seconds())
    while high_seconds - low_seconds > 1:
        middle = (low_seconds + high_seconds) // 2
        if _utc_offset(zone, low + timedelta(seconds=middle)) == offset_after:
            high_seconds = middle
        else:
            low_seconds = middle
    return low + timedelta(seconds=high_seconds)


def _utc_offset(zone: tzinfo, naive_utc: datetime) -> timedelta:
    offset = zone.fromutc(naive_utc.replace(tzinfo=zone)).utcoffset()
    assert offset is not None
    return offset


def _local_date(zone: tzinfo, naive_utc: datetime) -> date:
    return zone.fromutc(naive_utc.replace(tzinfo=zone)).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _naive_utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")
    return moment.astimezone(UTC).replace(tzinfo=None)


def _spans(intervals: tuple[Interval, ...]) -> tuple[Span, ...]:
    return tuple((timedelta(minutes=start), timedelta(minutes=end)) for start, end in intervals)


def _checked_date(day: object) -> date:
    # A datetime is a date too, but an exception belongs to a whole local date.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValueError(f"exception keys must be dates, got {day!r}")
    return day


def _checked_intervals(intervals: object, where: str) -> tuple[Interval, ...]:
    """Intervals as a tuple of (start, end) int pairs, in range, sorted and non-overlapping."""
    try:
        pairs = tuple(tuple(interval) for interval in intervals)  # type: ignore[union-attr]
    except TypeError:
        raise ValueError(f"{where}: intervals must be a sequence of (start, end) pairs, got {intervals!r}") from None
    previous: Interval | None = None
    for pair in pairs:
        if len(pair) != 2 or not all(isinstance(minute, int) and not isinstance(minute, bool) for minute in pair):
            raise ValueError(f"{where}: an interval is a pair of whole minutes, got {pair!r}")
        start, end = pair
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"{where}: interval {pair} must satisfy 0 <= start < end <= {MINUTES_PER_DAY}")
        if previous is not None and start < previous[0]:
            raise ValueError(f"{where}: intervals must be sorted, but {pair} comes after {previous}")
        if previous is not None and start < previous[1]:
            raise ValueError(f"{where}: intervals {previous} and {pair} overlap")
        previous = (start, end)
    return pairs  # type: ignore[return-value]
