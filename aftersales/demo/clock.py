"""A simulated clock, so that the real ticket services can replay weeks of history in seconds.

The services stamp events, responses and comments with `django.utils.timezone.now()`, as they
should. To give recent demo tickets genuine timelines written by those same services, the loader
moves this clock forward from one planned step to the next while it calls them.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone


class SimulatedClock:
    def __init__(self, start: dt.datetime):
        self.current = start

    def now(self) -> dt.datetime:
        return self.current

    def move_to(self, moment: dt.datetime) -> None:
        if moment < self.current:
            raise ValueError("The simulated clock only moves forward.")
        self.current = moment


@contextmanager
def simulated_time(clock: SimulatedClock) -> Iterator[SimulatedClock]:
    """Make `timezone.now()` answer from `clock` until the block ends (single-threaded use only)."""
    real_now = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real_now
