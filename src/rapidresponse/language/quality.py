"""How well the lexicons find what they should: precision and recall against labelled texts.

A labelled text says which harm it shows (or none, for a hard negative). The matcher's answer for a
text is the set of harms of its matches; per harm and language of the text:

- a true positive: the text is labelled with the harm and a match of that harm was found;
- a false positive: a match of the harm was found in a text not labelled with it;
- a false negative: the text is labelled with the harm and no match of it was found.

``starter_matcher`` builds the matcher over the shipped starter lexicons without a database (what the
benchmark and the floors test measure), all terms or those of a confidence or more (a low-confidence
term is there to rank reports for review, and is expected to be noisy); ``evaluate`` takes any
matcher, so a team can measure its own.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .matcher import Entry, Matcher

NONE = "-"


@dataclass(frozen=True)
class Labelled:
    language: str
    label: str  # a harm slug, or "-"
    form: str
    text: str


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    texts: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def add(self, other: Score) -> None:
        self.tp, self.fp, self.fn, self.texts = (self.tp + other.tp, self.fp + other.fp, self.fn + other.fn,
                                                 self.texts + other.texts)


RANK = {"low": 1, "medium": 2, "high": 3}


def starter_entries(directory: Path, *, min_confidence: str = "low") -> list[Entry]:
    """The terms of the YAML lexicons in ``directory`` as matcher entries (ids in file order), those of
    ``min_confidence`` or more only (a term without a confidence counts as low)."""
    out: list[Entry] = []
    items = [i for p in sorted(directory.glob("*.yaml")) for i in yaml.safe_load(p.read_text("utf-8"))["lexicons"]]
    for lexicon_id, item in enumerate(items, start=1):
        defaults = item.get("defaults") or {}
        for t in item["terms"]:
            if RANK.get(str({**defaults, **t}.get("confidence", "low")), 1) < RANK[min_confidence]:
                continue
            out.append(Entry(term_id=len(out) + 1, term=t["term"], lexicon_id=lexicon_id, harm=item["harm"],
                             language=item["language"], kind=t.get("kind", "term"),
                             substring=bool(t.get("substring", False))))
    return out


def starter_matcher(directory: Path, *, morphology: bool = True, min_confidence: str = "low") -> Matcher:
    return Matcher(starter_entries(directory, min_confidence=min_confidence), morphology=morphology)


def read_labelled(paths: Iterable[Path]) -> list[Labelled]:
    """Rows of ``<language>.tsv`` files (columns label, form, text)."""
    out: list[Labelled] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                out.append(Labelled(language=path.stem, label=row["label"], form=row["form"], text=row["text"]))
    return out


def evaluate(matcher: Matcher, rows: Iterable[Labelled]) -> dict[tuple[str, str], Score]:
    """Scores per (harm, language); every harm met in labels or answers gets a row per language."""
    scores: dict[tuple[str, str], Score] = defaultdict(Score)
    for row in rows:
        found = {m.harm for m in matcher.scan(row.text)}
        if row.label != NONE:
            scores[(row.label, row.language)].texts += 1
            if row.label in found:
                scores[(row.label, row.language)].tp += 1
            else:
                scores[(row.label, row.language)].fn += 1
        for harm in found - {row.label}:
            scores[(harm, row.language)].fp += 1
    return dict(scores)


def totals(scores: dict[tuple[str, str], Score], *, by: str) -> dict[str, Score]:
    """Scores summed per harm (``by="harm"``) or per language (``by="language"``)."""
    out: dict[str, Score] = defaultdict(Score)
    for (harm, language), s in scores.items():
        out[harm if by == "harm" else language].add(s)
    return dict(out)
