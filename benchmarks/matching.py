"""Lexicon matching: the Aho-Corasick matcher against one compiled regular-expression alternation.

1. ``--terms`` synthetic terms (100,000): one to three words of Cyrillic or Latin letters, seeded,
   so that the automaton and the regular expression hold the same folded strings.
2. A synthetic text of ``--text-kb`` kilobytes (64) of Russian-like words, with a term planted
   every ~200 characters, folded once (``normalise.fold``) for the two raw scanners.
3. Scanners, each timed best of ``--repeat`` (3) on the same text:
   - ``Matcher.scan``: what ``language.service.match`` does (fold with the offset map, Aho-Corasick,
     word boundaries, spans mapped back to the original);
   - ``automaton only``: the same pyahocorasick automaton over the folded text, no folding;
   - **baseline** ``regex alternation``: ``re.compile(r"(?<!\\w)(?:t1|t2|…)(?!\\w)")`` of the same folded
     terms (longest first), ``finditer`` over the folded text.
   Build times (automaton vs ``re.compile``) are printed too.

    .venv/bin/python benchmarks/matching.py [--terms 100000] [--text-kb 64] [--repeat 3]

Prints a table, then one JSON line. No database, no network; a few minutes on two busy cores (the regular expression is
the slow part: it tries every alternative at every position).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable
from typing import Any

from rapidresponse.language.matcher import Entry, Matcher
from rapidresponse.language.normalise import fold

CYR = "абвгдежзийклмнопрстуфхцчшщыэюя"
LAT = "abcdefghijklmnopqrstuvwxyz"


def _word(rng: random.Random, letters: str) -> str:
    return "".join(rng.choice(letters) for _ in range(rng.randint(4, 10)))


def _terms(n: int, rng: random.Random) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        letters = CYR if rng.random() < 0.8 else LAT
        seen.add(" ".join(_word(rng, letters) for _ in range(rng.randint(1, 3))))
    return sorted(seen)


def _text(kb: int, terms: list[str], rng: random.Random) -> tuple[str, int]:
    parts: list[str] = []
    size = planted = 0
    while size < kb * 1024:
        if rng.random() < 0.04:
            piece = rng.choice(terms).upper() if rng.random() < 0.5 else rng.choice(terms)
            planted += 1
        else:
            piece = _word(rng, CYR)
        parts.append(piece)
        size += len(piece.encode("utf-8")) + 1
    return " ".join(parts), planted


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--terms", type=int, default=100_000)
    ap.add_argument("--text-kb", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    terms = _terms(args.terms, rng)
    text, planted = _text(args.text_kb, terms, rng)
    folded = fold(text)
    mb = len(text.encode("utf-8")) / 1e6

    started = time.perf_counter()
    by_term = {t: fold(t) for t in terms}
    folded_terms = sorted(set(by_term.values()), key=len, reverse=True)
    fold_s = time.perf_counter() - started
    started = time.perf_counter()
    matcher = Matcher(Entry(term_id=i, term=t, lexicon_id=1, harm="bench", language="ru", folded=by_term[t])
                      for i, t in enumerate(terms))  # as the service builds it: folded terms from the tables
    ac_build = time.perf_counter() - started
    started = time.perf_counter()
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, folded_terms)) + r")(?!\w)")
    re_build = time.perf_counter() - started

    automaton = matcher._automaton
    scan_s, scan_hits = _best(lambda: matcher.scan(text), args.repeat)
    ac_s, ac_hits = _best(lambda: sum(1 for _ in automaton.iter(folded)), args.repeat)
    re_s, re_hits = _best(lambda: sum(1 for _ in pattern.finditer(folded)), args.repeat)

    rows = [("regex alternation (baseline)", re_s, re_hits), ("automaton only", ac_s, ac_hits),
            ("Matcher.scan (fold + match + spans)", scan_s, len(scan_hits))]
    print(f"{len(terms):,} terms, text {mb:.2f} MB ({planted:,} planted terms), best of {args.repeat}")
    print(f"build: folding the terms {fold_s:.2f} s (once, when added); Matcher {ac_build:.2f} s; "
          f"re.compile of the folded terms {re_build:.2f} s")
    print(f"{'scanner':<38}{'seconds':>10}{'MB/s':>10}{'hits':>10}{'x baseline':>12}")
    for name, secs, hits in rows:
        print(f"{name:<38}{secs:>10.3f}{mb / secs:>10.2f}{hits:>10,}{re_s / secs:>12.1f}")
    print(json.dumps({"terms": len(terms), "text_mb": round(mb, 3), "planted": planted,
                      "build_s": {"fold_terms": round(fold_s, 3), "matcher": round(ac_build, 3),
                                  "regex": round(re_build, 3)},
                      "mb_per_s": {"regex": round(mb / re_s, 3), "automaton": round(mb / ac_s, 3),
                                   "matcher_scan": round(mb / scan_s, 3)},
                      "speedup_vs_regex": {"automaton": round(re_s / ac_s, 1),
                                           "matcher_scan": round(re_s / scan_s, 1)},
                      "hits": {"regex": re_hits, "matcher_scan": len(scan_hits)}}))


if __name__ == "__main__":
    main()
