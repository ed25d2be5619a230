"""`rapidresponse detect backtest` and `detect score`, and the default detector end to end on a labelled
corpus of our own in NAB's layout (the NAB development subset itself is scored by benchmarks/nab.py)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from serieskit import noisy, timestamps
from typer.testing import CliRunner

from rapidresponse.cli import app
from rapidresponse.detection.series_io import parse_timestamp

runner = CliRunner()
PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def write_series(path: Path, n: int = 1000, spike: int | None = 800) -> list[list[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    x = noisy(n)
    if spike is not None:
        x[spike] += 30
    rows = [[datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S"), f"{v:.3f}"]
            for t, v in zip(timestamps(n), x, strict=True)]
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["timestamp", "value"], *rows])
    return rows


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """NAB's layout with series of our own: two with a spike each (labelled by a window around it), one
    quiet; NAB's three cost profiles."""
    root = tmp_path_factory.mktemp("corpus")
    windows: dict[str, list[list[str]]] = {}
    for key, spike in (("spikes/a.csv", 800), ("spikes/b.csv", 700), ("quiet/c.csv", None)):
        rows = write_series(root / "data" / key, spike=spike)
        windows[key] = [[rows[spike - 20][0], rows[spike + 20][0]]] if spike else []
    (root / "labels").mkdir()
    (root / "labels" / "combined_windows.json").write_text(json.dumps(windows))
    (root / "config").mkdir()
    costs = {"standard": (1.0, 0.11, 1.0), "reward_low_FP_rate": (1.0, 0.22, 1.0),
             "reward_low_FN_rate": (1.0, 0.11, 2.0)}
    (root / "config" / "profiles.json").write_text(json.dumps({
        name: {"CostMatrix": {"tpWeight": tp, "fpWeight": fp, "fnWeight": fn, "tnWeight": 1.0}}
        for name, (tp, fp, fn) in costs.items()}))
    return root


def read_out(path: Path) -> list[list[str]]:
    with path.open(newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("detector", ["novelty", "gaussian"])
def test_backtest_writes_one_scored_row_per_input_row(tmp_path: Path, detector: str) -> None:
    a = write_series(tmp_path / "data" / "reports" / "kz_challenge.csv")
    b = write_series(tmp_path / "data" / "other" / "short.csv", n=50, spike=None)
    code, out = run("detect", "backtest", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
                    "--detector", detector)
    assert code == 0, out
    for rows, rel in ((a, "reports/kz_challenge.csv"), (b, "other/short.csv")):
        got = read_out(tmp_path / "out" / rel)
        assert got[0] == ["timestamp", "value", "anomaly_score"]
        assert [r[:2] for r in got[1:]] == rows  # input order, values unchanged
        assert all(0.0 <= float(r[2]) <= 1.0 for r in got[1:])
    scores = [float(r[2]) for r in read_out(tmp_path / "out" / "reports/kz_challenge.csv")[1:]]
    assert scores.index(max(scores)) == 800


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty file"),
    ("time,value\n2024-01-01 00:00:00,1\n", "missing column(s) timestamp"),
    ("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,abc\n", ":3: bad number 'abc'"),
    ("timestamp,value\n2024-01-01 00:00:00,1\nyesterday,2\n", ":3: bad timestamp 'yesterday'"),
    ("timestamp,value\n2024-01-01 00:00:00,inf\n", ":2: value must be a finite number"),
    ("timestamp,value\n", "no data rows"),
])
def test_backtest_reports_malformed_file_and_scores_the_others(tmp_path: Path, content: str, message: str) -> None:
    write_series(tmp_path / "data" / "good" / "ok.csv")
    bad = tmp_path / "data" / "bad" / "broken.csv"
    bad.parent.mkdir(parents=True)
    bad.write_text(content, encoding="utf-8")
    code, out = run("detect", "backtest", str(tmp_path / "data"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "broken.csv" in out and message in out, out
    assert (tmp_path / "out" / "good" / "ok.csv").is_file()
    assert not (tmp_path / "out" / "bad" / "broken.csv").exists()


def test_backtest_missing_values_are_kept_and_scored_zero(tmp_path: Path) -> None:
    path = tmp_path / "data" / "c" / "gappy.csv"
    path.parent.mkdir(parents=True)
    path.write_text("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,\n2024-01-01 00:10:00,2\n")
    code, out = run("detect", "backtest", str(tmp_path / "data"), "--out", str(tmp_path / "out"))
    assert code == 0, out
    assert read_out(tmp_path / "out" / "c" / "gappy.csv")[2] == ["2024-01-01 00:05:00", "", "0"]


def test_backtest_bad_arguments(tmp_path: Path) -> None:
    code, out = run("detect", "backtest", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert code == 2 and "not a directory" in out
    code, out = run("detect", "backtest", str(tmp_path), "--out", str(tmp_path / "o"), "--detector", "magic")
    assert code == 2 and "unknown detector 'magic'" in out


def test_score_command_missing_results(corpus: Path, tmp_path: Path) -> None:
    code, out = run("detect", "score", str(corpus), str(tmp_path))
    assert code == 2 and "no results file" in out


def test_a_perfect_and_a_silent_detector_score_100_and_0(corpus: Path, tmp_path: Path) -> None:
    """The score's two ends: a detection at each window's left edge and nothing else is 100 on every
    profile; a detector that never fires is 0 (the scorer's normalisation)."""
    windows = json.loads((corpus / "labels" / "combined_windows.json").read_text())
    for name, hit in (("perfect", True), ("silent", False)):
        for key, spans in windows.items():
            rows = read_out(corpus / "data" / key)
            starts = {w[0] for w in spans}
            scored = [["timestamp", "value", "anomaly_score"]] + [
                [t, v, "1" if hit and t in starts else "0"] for t, v in rows[1:]]
            path = tmp_path / name / key.replace("/", f"/{name}_")
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", newline="") as fh:
                csv.writer(fh).writerows(scored)
        code, out = run("detect", "score", str(corpus), str(tmp_path / name), "--detector-prefix", name, "--json")
        assert code == 0, out
        scores = {r["profile"]: round(r["score"], 2) for r in json.loads(out)}
        assert scores == dict.fromkeys(PROFILES, 100.0 if hit else 0.0)


def test_the_default_detector_end_to_end_on_a_labelled_corpus(corpus: Path, tmp_path: Path) -> None:
    """Backtest, then score: the spikes are found early in their windows and the quiet series stay quiet."""
    code, text = run("detect", "backtest", str(corpus / "data"), "--out", str(tmp_path))
    assert code == 0, text
    code, text = run("detect", "score", str(corpus), str(tmp_path), "--json")
    assert code == 0, text
    rows = {r["profile"]: r for r in json.loads(text)}
    assert set(rows) == set(PROFILES)
    assert rows["standard"]["fn"] == 0 and rows["standard"]["score"] > 80


def test_timestamps_are_parsed_as_utc() -> None:
    assert parse_timestamp("2014-04-01 00:05:00").timestamp() == 1396310700.0
    assert parse_timestamp("2014-04-01T05:05:00+05:00").timestamp() == 1396310700.0
