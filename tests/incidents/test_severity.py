from hypothesis import given
from hypothesis import strategies as st

from rapidresponse.incidents.severity import SeverityInput, assess


def test_demo_challenge_among_minors_is_sev2() -> None:
    a = assess(SeverityInput(harm=3, reach=3, velocity=3, vulnerable=True, regulatory=1))
    assert (a.level, a.points) == (2, 27)
    assert [f.name for f in a.factors] == ["harm", "reach", "velocity", "vulnerable", "regulatory"]
    assert a.floors == []


def test_low_harm_small_reach_is_sev4() -> None:
    assert assess(SeverityInput(harm=1)).level == 4


def test_critical_harm_to_minors_is_always_sev1() -> None:
    a = assess(SeverityInput(harm=4, reach=1, velocity=1, vulnerable=True))
    assert a.level == 1
    assert a.floors == ["Critical harm involving minors or vulnerable users is always SEV1"]


def test_running_legal_deadline_is_at_least_sev2() -> None:
    a = assess(SeverityInput(harm=1, regulatory=3))
    assert a.level == 2 and "legal deadline" in a.floors[0]


def test_viral_severe_harm_everywhere_is_sev1() -> None:
    assert assess(SeverityInput(harm=3, reach=4, velocity=4, vulnerable=False, regulatory=2)).level == 1


levels = st.builds(SeverityInput, harm=st.integers(1, 4), reach=st.integers(1, 4), velocity=st.integers(1, 4),
                   vulnerable=st.booleans(), regulatory=st.integers(0, 3))


@given(levels, st.sampled_from(["harm", "reach", "velocity", "regulatory"]))
def test_more_of_any_factor_never_lowers_severity(inp: SeverityInput, factor: str) -> None:
    top = 3 if factor == "regulatory" else 4
    worse = inp.model_copy(update={factor: min(getattr(inp, factor) + 1, top)})
    assert assess(worse).level <= assess(inp).level


@given(levels)
def test_points_are_the_sum_of_the_factors(inp: SeverityInput) -> None:
    a = assess(inp)
    assert a.points == sum(f.points for f in a.factors)
    assert 1 <= a.level <= 4
