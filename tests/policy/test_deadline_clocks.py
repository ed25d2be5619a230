from __future__ import annotations

from datetime import UTC, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapidresponse.errors import ValidationFailed
from rapidresponse.policy import CountryProfile, Deadline, get_country
from rapidresponse.policy.deadlines import BusinessCalendar, due_at, start_clock

RECEIVED = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))
DST_COUNTRIES = st.sampled_from(["PL", "UA", "MD"])  # Europe/Warsaw, Europe/Kyiv, Europe/Chisinau
ANY_COUNTRY = st.sampled_from(["KZ", "RU", "PL", "UA", "MD", "UZ", "BY", "GE"])


def clock(hours: float, time: str = "calendar") -> Deadline:
    return Deadline.model_validate({"name": "test_clock", "instrument": "test", "trigger": "order", "hours": hours,
                                    "time": time, "action": "reply", "confidence": "verified",
                                    "source_url": "https://example.org/law"})


def test_friday_evening_in_almaty_with_a_24_business_hour_clock() -> None:
    # Received Fri 27 Nov 2026 18:30 Almaty (UTC+5), after business hours. The clock starts Mon 30 Nov
    # 09:00 (no KZ holiday that week; 1 Dec is no longer a day off): Mon 9 h + Tue 9 h + Wed 6 h = 24 h,
    # so it is due Wed 2 Dec 2026 15:00 +05:00 = 10:00 UTC.
    kz = get_country("KZ")
    received = datetime.fromisoformat("2026-11-27T18:30:00+05:00")
    due = due_at(received, kz, clock(24, "business"))
    assert due == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    assert due.astimezone(kz.zone).isoformat() == "2026-12-02T15:00:00+05:00"


def test_friday_evening_in_almaty_under_the_law_as_written() -> None:
    # Law No. 18-VIII Art. 9(4)(2) counts 24 hours: the clock runs through the weekend.
    kz = get_country("KZ")
    received = datetime.fromisoformat("2026-11-27T18:30:00+05:00")
    due = due_at(received, kz, kz.deadline("authorised_body_request"))
    assert due.astimezone(kz.zone).isoformat() == "2026-11-28T18:30:00+05:00"


def test_business_clock_skips_public_holidays() -> None:
    # Received Fri 20 Mar 2026 17:00 Almaty; Nauryz 21-23 Mar plus observed days 24-25 Mar.
    kz = get_country("KZ")
    received = datetime.fromisoformat("2026-03-20T17:00:00+05:00")
    due = due_at(received, kz, clock(9, "business")).astimezone(kz.zone)
    # Fri 17:00-18:00 = 1 h; Mon 23, Tue 24, Wed 25 are holidays; Thu 26 Mar 09:00 + 8 h = 17:00
    assert due.isoformat() == "2026-03-26T17:00:00+05:00"


def test_calendar_clock_across_the_spring_dst_change_in_warsaw() -> None:
    pl = get_country("PL")
    received = datetime.fromisoformat("2026-03-28T12:00:00+01:00")
    due = due_at(received, pl, clock(24)).astimezone(pl.zone)
    assert due.isoformat() == "2026-03-29T13:00:00+02:00"  # 24 real hours, 25 on the wall clock


def test_business_clock_across_the_autumn_dst_change_in_kyiv() -> None:
    ua = get_country("UA")
    received = datetime.fromisoformat("2026-10-23T17:00:00+03:00")  # Friday; DST ends Sun 25 Oct
    due = due_at(received, ua, clock(2, "business")).astimezone(ua.zone)
    assert due.isoformat() == "2026-10-26T10:00:00+02:00"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="must carry a time zone"):
        due_at(datetime(2026, 11, 27, 18, 30), get_country("KZ"), clock(24))


@settings(max_examples=150, deadline=None)
@given(received=RECEIVED, code=DST_COUNTRIES, hours=st.integers(min_value=1, max_value=24 * 14))
def test_calendar_deadlines_are_real_hours_across_dst(received: datetime, code: str, hours: int) -> None:
    profile = get_country(code)
    due = due_at(received.astimezone(profile.zone), profile, clock(hours))
    assert due - received == timedelta(hours=hours)
    assert due.tzinfo is UTC


def _business_moment(profile: CountryProfile, moment: datetime) -> bool:
    local = moment.astimezone(profile.zone)
    day = local.date()
    public = holidays.country_holidays(profile.holidays, years=day.year)
    moved = set(getattr(public, "weekend_workdays", ()))
    hours = profile.business_hours
    workday = day in moved or (local.weekday() in hours.weekdays and day not in public)
    return workday and hours.start < local.time() <= hours.end


@settings(max_examples=150, deadline=None)
@given(received=RECEIVED, code=ANY_COUNTRY, hours=st.floats(min_value=0.25, max_value=60, allow_nan=False))
def test_business_deadlines_end_inside_business_hours(received: datetime, code: str, hours: float) -> None:
    profile = get_country(code)
    due = due_at(received, profile, clock(hours, "business"))
    assert due >= received
    assert _business_moment(profile, due)
    assert BusinessCalendar.for_country(profile).between(received, due) == timedelta(hours=hours)


@settings(max_examples=150, deadline=None)
@given(a=RECEIVED, b=RECEIVED, code=ANY_COUNTRY, hours=st.integers(min_value=1, max_value=72),
       kind=st.sampled_from(["calendar", "business"]))
def test_due_is_monotonic_in_received_time(a: datetime, b: datetime, code: str, hours: int, kind: str) -> None:
    profile = get_country(code)
    early, late = sorted((a, b))
    d = clock(hours, kind)
    assert due_at(early, profile, d) <= due_at(late, profile, d)
    assert due_at(early, profile, d) >= early


@settings(max_examples=100, deadline=None)
@given(received=RECEIVED, code=ANY_COUNTRY, hours=st.integers(min_value=1, max_value=48),
       kind=st.sampled_from(["calendar", "business"]),
       fractions=st.lists(st.floats(min_value=-0.2, max_value=1.2, allow_nan=False), min_size=2, max_size=6))
def test_progress_runs_from_0_to_1_monotonically(received: datetime, code: str, hours: int, kind: str,
                                                 fractions: list[float]) -> None:
    c = start_clock(received, get_country(code), clock(hours, kind))
    assert c.progress(c.received) == 0.0
    assert c.progress(c.due) == 1.0
    span = c.due - c.received
    moments = sorted(c.received + span * f for f in fractions)
    values = [c.progress(m) for m in moments]
    assert values == sorted(values)
    assert all(0.0 <= v <= 1.0 for v in values)


def test_progress_counts_the_clocks_own_kind_of_time() -> None:
    kz = get_country("KZ")
    c = start_clock(datetime.fromisoformat("2026-11-27T18:30:00+05:00"), kz, clock(24, "business"))
    # Over the weekend no business time passes.
    assert c.progress(datetime.fromisoformat("2026-11-29T23:00:00+05:00")) == 0.0
    # Tue 1 Dec 12:00: Mon 9 h + Tue 3 h = 12 of 24 business hours.
    tue = datetime.fromisoformat("2026-12-01T12:00:00+05:00")
    assert c.progress(tue) == pytest.approx(0.5)
    assert c.thresholds_crossed(tue) == [0.5]
    assert not c.breached(tue) and c.breached(c.due + timedelta(seconds=1))
    assert c.remaining(tue) == timedelta(hours=12)
