"""The time source of the services (tests pass a fixed one)."""

from datetime import datetime, timedelta, timezone


class Clock:
    """Tells the current time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock(Clock):
    """A clock that stays where it is told (tests, imports of old data)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)
