"""The labelled T&S benchmark (`rapidresponse detect simulate --corpus`): deterministic, in NAB's layout, windows
over the injected outbreaks and none over the shifts and bursts that are not incidents, scored end to end by
`detect backtest` and `detect score`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rapidresponse.cli import app
from rapidresponse.detection.corpus import CLASSES, SHAPES, nab_windows
from rapidresponse.detection.scoring import load_profiles, probation_rows
from rapidresponse.detection.series_io import find_series_files, parse_timestamp, read_series

runner = CliRunner()
PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")


def simulate(root: Path, *args: str) -> None:
    result = runner.invoke(app, ["detect", "simulate", "--corpus", str(root), *args])
    assert result.exit_code == 0, result.output


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def labels(root: Path, name: str) -> dict[str, list]:  # type: ignore[type-arg]
    data: dict[str, list] = json.loads((root / "labels" / name).read_text())  # type: ignore[type-arg]
    return data


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ts") / "corpus"
    simulate(root, "--files", "30", "--days", "10", "--seed", "11")
    return root


def test_the_same_seed_gives_the_same_files_and_a_smaller_corpus_is_a_prefix(tmp_path: Path) -> None:
    simulate(tmp_path / "a", "--files", "6", "--days", "3", "--seed", "5")
    simulate(tmp_path / "b", "--files", "6", "--days", "3", "--seed", "5")
    simulate(tmp_path / "c", "--files", "6", "--days", "3", "--seed", "6")
    simulate(tmp_path / "d", "--files", "2", "--days", "3", "--seed", "5")
    a, b, c, d = (tree(tmp_path / x) for x in "abcd")
    assert a == b
    data_a = {k: v for k, v in a.items() if k.startswith("data/")}
    assert data_a != {k: v for k, v in c.items() if k.startswith("data/")}
    assert {k: v for k, v in d.items() if k.startswith("data/")}.items() <= data_a.items()
    assert len([k for k in d if k.startswith("data/")]) == 2


def test_the_corpus_is_in_nab_layout_with_nab_windows(corpus: Path) -> None:
    windows, onsets = labels(corpus, "combined_windows.json"), labels(corpus, "combined_labels.json")
    files = dict(find_series_files(corpus / "data"))
    assert set(files) == set(windows) == set(onsets) and len(files) == 30
    assert {k.split("/")[0] for k in files} == set(CLASSES)
    assert [p.name for p in load_profiles(corpus / "config" / "profiles.json")] == list(PROFILES)
    assert sum(len(w) for w in windows.values()) > 0
    for key, path in files.items():
        series, _ = read_series(path)
        n = len(series)
        assert n == 10 * 288 and np.all(np.diff(series.epoch) == 300.0)
        assert np.all(series.values >= 0) and np.all(series.values == np.floor(series.values))
        rows = {t: i for i, t in enumerate(series.raw_timestamps)}
        anomalies = [rows[t] for t in onsets[key]]
        # NAB's labeller: 10% of the rows shared among the file's anomalies, centred on each
        expected = [[series.raw_timestamps[lo], series.raw_timestamps[hi]] for lo, hi in nab_windows(n, anomalies)]
        assert windows[key] == expected
        for lo, hi in (([rows[a], rows[b]]) for a, b in windows[key]):
            assert hi - lo == 2 * (int(0.1 * n / len(anomalies)) // 2)
            assert lo >= probation_rows(n)  # every window is scored


def test_windows_cover_the_outbreaks_and_not_the_shifts_and_bursts(corpus: Path) -> None:
    windows, events = labels(corpus, "combined_windows.json"), labels(corpus, "events.json")
    kinds = {e["kind"] for evs in events.values() for e in evs}
    assert set(SHAPES) <= kinds and {"burst", "launch", "classifier"} <= kinds
    for key, evs in events.items():
        spans = [(parse_timestamp(a), parse_timestamp(b)) for a, b in windows[key]]
        series, _ = read_series(corpus / "data" / key)
        n = len(series)
        for e in evs:
            at = parse_timestamp(e["start_at"])
            covered = [lo <= at <= hi for lo, hi in spans]
            if e["incident"]:
                assert sum(covered) == 1, (key, e)
                lo, hi = spans[covered.index(True)]
                assert (at - lo) == (hi - at)  # centred on the outbreak's first bucket
            else:
                assert not any(covered), (key, e)
                assert e["start"] >= probation_rows(n)  # where a false alarm on it counts
        assert len(spans) == sum(e["incident"] for e in evs)


def test_outbreaks_raise_the_counts_and_bursts_are_short(corpus: Path) -> None:
    """The injected events are in the counts: an outbreak's first hours hold more reports than the same hours a
    day before, most bursts stand out of the previous hour."""
    events = labels(corpus, "events.json")
    more = bursts = standing_out = outbreaks = 0
    for key, evs in events.items():
        x = read_series(corpus / "data" / key)[0].values
        for e in evs:
            s = e["start"]
            if e["incident"]:
                outbreaks += 1
                span = slice(s, min(e["end"], s + 72) + 1)
                before = slice(span.start - 288, span.stop - 288)
                more += x[span].sum() > x[before].sum()
            elif e["kind"] == "burst":
                bursts += 1
                standing_out += x[s] > x[s - 12:s].max()
                assert e["end"] - s <= 1
    assert outbreaks and more >= 0.9 * outbreaks
    assert bursts and standing_out >= 0.75 * bursts


def test_bad_corpus_arguments_change_nothing(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    for args, message in (([str(taken)], "not an empty folder"),
                          ([str(tmp_path / "x"), "--start", "March"], "use YYYY-MM-DD"),
                          ([str(tmp_path / "y"), "--counts"], "leave out --out and --counts")):
        result = runner.invoke(app, ["detect", "simulate", "--corpus", *args])
        assert result.exit_code != 0 and message in result.output, result.output
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def write_results(corpus: Path, out: Path, fire: dict[str, set[int]]) -> None:
    for key, path in find_series_files(corpus / "data"):
        series, _ = read_series(path)
        target = out / key
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["timestamp", "value", "anomaly_score"])
            for i, (t, v) in enumerate(zip(series.raw_timestamps, series.raw_values, strict=True)):
                w.writerow([t, v, "1" if i in fire.get(key, set()) else "0"])


def score(corpus: Path, results: Path) -> dict[str, dict[str, float]]:
    result = runner.invoke(app, ["detect", "score", str(corpus), str(results), "--json"])
    assert result.exit_code == 0, result.output
    return {r["profile"]: r for r in json.loads(result.output)}


def test_backtest_and_score_the_corpus_end_to_end(tmp_path: Path) -> None:
    """The default detector through the CLI gets a score between a detector that never fires and one that fires
    on every outbreak's first bucket; one that fires on every burst and shift but no outbreak scores below
    never firing."""
    root = tmp_path / "corpus"
    simulate(root, "--files", "9", "--days", "7", "--seed", "3")
    events = labels(root, "events.json")
    write_results(root, tmp_path / "never", {})
    write_results(root, tmp_path / "oracle", {k: {e["start"] for e in evs if e["incident"]}
                                              for k, evs in events.items()})
    write_results(root, tmp_path / "noise", {k: {e["start"] for e in evs if not e["incident"]}
                                             for k, evs in events.items()})
    result = runner.invoke(app, ["detect", "backtest", str(root / "data"), "--out", str(tmp_path / "default")])
    assert result.exit_code == 0, result.output
    never, oracle = score(root, tmp_path / "never"), score(root, tmp_path / "oracle")
    noise, default = score(root, tmp_path / "noise"), score(root, tmp_path / "default")
    for p in PROFILES:
        assert never[p]["score"] == 0.0 and never[p]["tp"] == 0
        assert oracle[p]["fn"] == 0 and oracle[p]["fp"] == 0 and oracle[p]["score"] > 0.0
        assert noise[p]["tp"] == 0 and noise[p]["score"] == 0.0  # its best threshold is never to fire
        assert 0.0 < default[p]["score"] <= oracle[p]["score"]
    assert default["standard"]["tp"] > 0
