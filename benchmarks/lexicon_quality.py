"""Lexicon quality: precision and recall of the starter lexicons on the labelled test set.

The labelled texts are ``tests/language/labelled/<language>.tsv`` (written by ``generate.py`` beside
them: positives in inflected, transliterated, leetspeak and hashtag forms, and hard negatives such as
news about a challenge, help-seeking and innocent senses of coded words). The matcher is built from
the shipped starter lexicons (``language.STARTER``) with morphology on, as intake uses it: all terms,
then the terms of medium or high confidence only; and, for comparison, all terms with morphology off
(``--no-compare`` skips that).

    .venv/bin/python benchmarks/lexicon_quality.py [--labelled DIR] [--no-compare] [--misses]

Prints a table per harm × language (texts, TP, FP, FN, precision, recall), totals per harm and per
language, then one JSON line. No database, no network; a few seconds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rapidresponse.language import quality, service

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "language" / "labelled"


def _f(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def _table(title: str, rows: dict[str, quality.Score]) -> None:
    print(f"\n{title}\n| {'':38} | texts | TP | FP | FN | precision | recall |\n|---|---:|---:|---:|---:|---:|---:|")
    for name, s in sorted(rows.items()):
        print(f"| {name:38} | {s.texts} | {s.tp} | {s.fp} | {s.fn} | {_f(s.precision)} | {_f(s.recall)} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labelled", type=Path, default=LABELLED)
    ap.add_argument("--no-compare", action="store_true", help="skip the run with morphology off")
    ap.add_argument("--misses", action="store_true", help="print the texts missed or wrongly flagged")
    args = ap.parse_args()
    rows = quality.read_labelled(sorted(args.labelled.glob("*.tsv")))
    out: dict[str, object] = {"texts": len(rows)}
    runs = [(True, "low"), (True, "medium")] + ([(False, "low")] if not args.no_compare else [])
    for morphology, confidence in runs:
        matcher = quality.starter_matcher(service.STARTER, morphology=morphology, min_confidence=confidence)
        scores = quality.evaluate(matcher, rows)
        name = ("morphology on" if morphology else "morphology off (exact folded terms only)") + (
            ", all terms" if confidence == "low" else ", terms of medium or high confidence")
        print(f"\n## {name}: {len(rows)} labelled texts")
        _table("per harm × language", {f"{h} / {lang}": s for (h, lang), s in scores.items()})
        by_harm, by_lang = quality.totals(scores, by="harm"), quality.totals(scores, by="language")
        _table("per harm", by_harm)
        _table("per language", by_lang)
        out[("morphology" if morphology else "exact") + ("" if confidence == "low" else "_medium")] = {
            "harm": {k: [_f(s.precision), _f(s.recall)] for k, s in sorted(by_harm.items())},
            "language": {k: [_f(s.precision), _f(s.recall)] for k, s in sorted(by_lang.items())}}
        if args.misses and morphology and confidence == "low":
            for row in rows:
                found = {m.harm for m in matcher.scan(row.text)}
                if (row.label != quality.NONE and row.label not in found) or found - {row.label}:
                    print(f"{row.language}\t{row.label}\t{sorted(found)}\t{row.text}")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
