"""Matching at scale: lexicon scan (Aho-Corasick vs a regular expression), PDQ hash matching (FAISS vs numpy),
and MinHash clustering of short texts (one long-lived LSH index vs rebuilding it, and vs datasketch per item).

Lexicon part (``--terms``, 0 skips it):

1. ``--terms`` synthetic terms (100,000): one to three words of Cyrillic or Latin letters, seeded,
   so that the automaton and the regular expression hold the same folded strings.
2. A synthetic text of ``--text-kb`` kilobytes (64) of Russian-like words, with a term planted
   every ~200 characters, folded once (``normalise.fold``) for the two raw scanners.
3. Scanners, each timed best of ``--repeat`` (3) on the same text:
   - ``Matcher.scan, morphology off``: the matcher before word keys (fold with the offset map,
     Aho-Corasick, word boundaries, spans mapped back to the original);
   - ``Matcher.scan, morphology on``: what ``language.service.match`` does now: the same, plus the
     second pass over the text's word keys (lemmas, stems, one Latin skeleton) against the terms' keys;
     timed once cold (the word-key cache emptied before the matcher is built, so every word of the text
     not in a term has its key computed) and best of ``--repeat`` warm (keys cached, as in a running
     process where report texts repeat their words);
   - ``automaton only``: the same pyahocorasick automaton over the folded text, no folding;
   - **baseline** ``regex alternation``: ``re.compile(r"(?<!\\w)(?:t1|t2|…)(?!\\w)")`` of the same folded
     terms (longest first), ``finditer`` over the folded text.
   Build times (automaton vs ``re.compile``) are printed too.

PDQ part (``--pdq-hashes``, 0 skips it):

1. ``--pdq-hashes`` random 256-bit hashes (1,000,000), seeded, packed as an (n, 32) uint8 array.
2. ``--pdq-queries`` queries (200): half are stored hashes with 0 to 40 bits flipped (so the 31/32
   boundary is crossed), half are random (nothing within 31).
3. The index ``hashes.index.PdqIndex`` (``faiss.IndexBinaryFlat``, the one the service builds) is
   built (timed) and answers all queries in one range search; the **baseline** is
   ``hashindex.brute_force``: vectorised numpy, XOR of the packed bytes and a 256-entry popcount table,
   one query at a time over the whole array. Both must return identical hits (checked; exit code 1 if not).

MinHash part (``--texts``, 0 skips it): clustering of short report texts into trends.

1. ``--texts`` synthetic short texts (1,000,000): 40 % copies of 2,000 "viral" messages with small
   edits (a number, a hashtag, case), the rest distinct texts of random Cyrillic (Russian and Kazakh
   letters) words.
2. Clusterers, each over the texts in batches of ``--batch`` (5,000), as intake sees them:
   - **this code**: ``signals.clustering`` shingles and batched signatures (``MinHash.bulk`` with crc32)
     queried against one long-lived LSH index that new trends are added to (what the in-memory
     ``TrendIndex`` does, without the database round trips);
   - **baseline** ``rebuild per batch``: the same, but the LSH index rebuilt from every trend's
     stored signature before each batch (what ``clustering.assign`` did before), over the first
     ``--rebuild-texts`` (100,000) texts: its cost grows with the number of trends;
   - **baseline** ``datasketch per item``: ``MinHash(num_perm=64)`` updated shingle by shingle with
     its default SHA-1 hash, then query/insert, over the first ``--item-texts`` (20,000) texts.

    .venv/bin/python benchmarks/matching.py [--terms 100000] [--text-kb 64] [--repeat 3]
                                            [--pdq-hashes 1000000] [--pdq-queries 200]
        [--texts 1000000] [--batch 5000] [--rebuild-texts 100000] [--item-texts 20000]

``--terms 10000`` runs the lexicon part in well under a minute (building the 100,000-term matchers
takes minutes: word keys of every term). Prints a table per part, then one JSON line with ``lexicon``,
``pdq`` and ``minhash``. No database, no network.
Each part takes a few minutes on two busy cores (the regular expression tries every alternative at every
position; the MinHash part clusters a million texts).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from rapidresponse.language import morph
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


def lexicon_section(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    terms = _terms(args.terms, rng)
    text, planted = _text(args.text_kb, terms, rng)
    folded = fold(text)
    mb = len(text.encode("utf-8")) / 1e6

    started = time.perf_counter()
    by_term = {t: fold(t) for t in terms}
    folded_terms = sorted(set(by_term.values()), key=len, reverse=True)
    fold_s = time.perf_counter() - started
    entries = [Entry(term_id=i, term=t, lexicon_id=1, harm="bench", language="ru", folded=by_term[t])
               for i, t in enumerate(terms)]  # as the service builds it: folded terms from the tables
    started = time.perf_counter()
    matcher = Matcher(entries, morphology=False)  # the matcher before morphology: exact folded terms
    ac_build = time.perf_counter() - started
    morph.key.cache_clear()
    started = time.perf_counter()
    keyed = Matcher(entries)  # with morphology: word keys of every term of five letters or more
    morph_build = time.perf_counter() - started
    started = time.perf_counter()
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, folded_terms)) + r")(?!\w)")
    re_build = time.perf_counter() - started

    automaton = matcher._automaton
    scan_s, scan_hits = _best(lambda: matcher.scan(text), args.repeat)
    words = len(set(folded.split()))
    started = time.perf_counter()
    keyed.scan(text)  # cold: every word of the text not seen before gets its key computed
    cold_s = time.perf_counter() - started
    morph_s, morph_hits = _best(lambda: keyed.scan(text), args.repeat)  # warm: word keys cached
    ac_s, ac_hits = _best(lambda: sum(1 for _ in automaton.iter(folded)), args.repeat)
    re_s, re_hits = _best(lambda: sum(1 for _ in pattern.finditer(folded)), args.repeat)

    rows = [("regex alternation (baseline)", re_s, re_hits), ("automaton only", ac_s, ac_hits),
            ("Matcher.scan, morphology off", scan_s, len(scan_hits)),
            ("Matcher.scan, morphology on (cold)", cold_s, len(morph_hits)),
            ("Matcher.scan, morphology on", morph_s, len(morph_hits))]
    print(f"{len(terms):,} terms, text {mb:.2f} MB ({planted:,} planted terms, {words:,} distinct words), "
          f"best of {args.repeat}")
    print(f"build: folding the terms {fold_s:.2f} s (once, when added); Matcher {ac_build:.2f} s, with morphology "
          f"{morph_build:.2f} s; re.compile of the folded terms {re_build:.2f} s")
    print(f"{'scanner':<38}{'seconds':>10}{'MB/s':>10}{'hits':>10}{'x baseline':>12}")
    for name, secs, hits in rows:
        print(f"{name:<38}{secs:>10.3f}{mb / secs:>10.2f}{hits:>10,}{re_s / secs:>12.1f}")
    print(f"morphology on / off speed: {scan_s / morph_s:.2f} (warm), {scan_s / cold_s:.2f} (cold); "
          f"morphology on vs regex: {re_s / morph_s:.1f}x (must stay >= 10x)")
    return ({"terms": len(terms), "text_mb": round(mb, 3), "planted": planted,
                      "build_s": {"fold_terms": round(fold_s, 3), "matcher": round(ac_build, 3),
                                  "matcher_morphology": round(morph_build, 3), "regex": round(re_build, 3)},
                      "mb_per_s": {"regex": round(mb / re_s, 3), "automaton": round(mb / ac_s, 3),
                                   "matcher_scan": round(mb / scan_s, 3),
                                   "matcher_scan_morphology": round(mb / morph_s, 3),
                                   "matcher_scan_morphology_cold": round(mb / cold_s, 3)},
                      "speedup_vs_regex": {"automaton": round(re_s / ac_s, 1),
                                           "matcher_scan": round(re_s / scan_s, 1),
                                           "matcher_scan_morphology": round(re_s / morph_s, 1)},
                      "morphology_vs_off": {"warm": round(scan_s / morph_s, 3), "cold": round(scan_s / cold_s, 3)},
                      "hits": {"regex": re_hits, "matcher_scan": len(scan_hits),
                               "matcher_scan_morphology": len(morph_hits)}})


def _flip(vector: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    out = vector.copy()
    for b in rng.choice(256, size=bits, replace=False):
        out[b // 8] ^= np.uint8(1 << (7 - b % 8))
    return out


def pdq_section(args: argparse.Namespace) -> dict[str, Any]:
    import faiss  # noqa: F401  (imported before the build is timed)

    from rapidresponse.hashes.index import PdqIndex, brute_force

    rng = np.random.default_rng(args.seed)
    n, radius = args.pdq_hashes, 31
    stored = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    near = [_flip(stored[int(rng.integers(n))], int(k), rng)
            for k in np.resize(np.arange(0, 41), args.pdq_queries // 2)]
    far = list(rng.integers(0, 256, size=(args.pdq_queries - len(near), 32), dtype=np.uint8))
    queries = np.stack(near + far)
    thresholds = np.full(n, radius, dtype=np.int32)

    started = time.perf_counter()
    index = PdqIndex(stored, thresholds)
    build_s = time.perf_counter() - started
    faiss_s, faiss_hits = _best(lambda: index.search(queries), args.repeat)
    # The baseline is slow: timed once over all queries.
    brute_s, brute_hits = _best(lambda: brute_force(stored, thresholds, queries), 1)
    same = faiss_hits == brute_hits
    q = len(queries)
    print(f"PDQ: {n:,} hashes, {q} queries ({len(near)} near a stored hash, 0-40 bits flipped; {len(far)} random), "
          f"distance <= {radius}; FAISS best of {args.repeat}, numpy once")
    print(f"build: PdqIndex (faiss.IndexBinaryFlat add) {build_s:.3f} s")
    print(f"{'matcher':<38}{'seconds':>10}{'queries/s':>12}{'hits':>8}{'x baseline':>12}")
    for name, secs, hits in (("numpy brute force (baseline)", brute_s, brute_hits),
                             ("FAISS IndexBinaryFlat range search", faiss_s, faiss_hits)):
        print(f"{name:<38}{secs:>10.3f}{q / secs:>12.1f}{len(hits):>8}{brute_s / secs:>12.1f}")
    print(f"identical results: {same}")
    return {"hashes": n, "queries": q, "radius": radius, "build_s": round(build_s, 3),
            "queries_per_s": {"numpy": round(q / brute_s, 2), "faiss": round(q / faiss_s, 2)},
            "speedup_vs_numpy": round(brute_s / faiss_s, 1), "hits": len(faiss_hits), "identical": same}


# --- MinHash clustering ----------------------------------------------------------------------------

KK = CYR + "әғқңөұүһі"


def _short_texts(n: int, rng: random.Random) -> tuple[list[str], list[int]]:
    """Texts and, for each, the viral message it copies (-1 for a distinct one). Words are random
    letters of Russian and Kazakh, so distinct texts share no more than chance shingles."""
    viral = [" ".join(_word(rng, KK) for _ in range(rng.randint(5, 9))) for _ in range(2000)]
    texts, origin = [], []
    for _ in range(n):
        if rng.random() < 0.4:
            k = rng.randrange(len(viral))
            text = viral[k] + f" {rng.randint(1, 99)}" + (" #срочно" if rng.random() < 0.3 else "")
            texts.append(text.upper() if rng.random() < 0.2 else text)
            origin.append(k)
        else:
            texts.append(" ".join(_word(rng, KK) for _ in range(rng.randint(3, 8))))
            origin.append(-1)
    return texts, origin


def _cluster_batched(texts: list[str], batch: int, *, rebuild: bool) -> tuple[float, list[int]]:
    from datasketch import MinHashLSH

    from rapidresponse.signals import clustering as trends

    lsh = MinHashLSH(threshold=trends.THRESHOLD, num_perm=trends.NUM_PERM)
    stored: list[Any] = []  # trend signatures, as the table holds them
    labels: list[int] = []
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        if rebuild:
            lsh = MinHashLSH(threshold=trends.THRESHOLD, num_perm=trends.NUM_PERM)
            for tid, values in enumerate(stored):
                lsh.insert(tid, trends._minhash(values))
        todo = [trends.shingles(t.casefold()) for t in texts[i:i + batch]]
        sigs = trends.signatures([sh for sh in todo if sh])
        it = iter(sigs)
        for sh in todo:
            if not sh:
                labels.append(-1)
                continue
            mh = next(it)
            found = lsh.query(mh)
            if found:
                labels.append(min(found))
            else:
                tid = len(stored)
                stored.append([int(v) for v in mh.hashvalues])
                lsh.insert(tid, mh)
                labels.append(tid)
    return time.perf_counter() - started, labels


def _cluster_per_item(texts: list[str]) -> tuple[float, list[int]]:
    from datasketch import MinHash, MinHashLSH

    from rapidresponse.signals import clustering as trends

    lsh = MinHashLSH(threshold=trends.THRESHOLD, num_perm=trends.NUM_PERM)
    labels: list[int] = []
    count = 0
    started = time.perf_counter()
    for text in texts:
        sh = trends.shingles(text.casefold())
        if not sh:
            labels.append(-1)
            continue
        mh = MinHash(num_perm=trends.NUM_PERM)
        for piece in sh:
            mh.update(piece)
        found = lsh.query(mh)
        if found:
            labels.append(min(found))
        else:
            lsh.insert(count, mh)
            labels.append(count)
            count += 1
    return time.perf_counter() - started, labels


def _viral_purity(labels: list[int], origin: list[int]) -> tuple[int, int]:
    """(trends the viral copies ended up in, distinct texts wrongly joined to a viral trend)."""
    viral_trends = {lab for lab, o in zip(labels, origin, strict=False) if o >= 0}
    stray = sum(1 for lab, o in zip(labels, origin, strict=False) if o < 0 and lab in viral_trends)
    return len(viral_trends), stray


def minhash_part(args: argparse.Namespace) -> dict[str, Any]:
    n, batch = max(1000, args.texts), max(1, min(args.batch, 10_000))
    rng = random.Random(args.seed)
    texts, origin = _short_texts(n, rng)
    rebuild_n, item_n = min(n, args.rebuild_texts), min(n, args.item_texts)
    index_s, labels = _cluster_batched(texts, batch, rebuild=False)
    rebuild_s, _ = _cluster_batched(texts[:rebuild_n], batch, rebuild=True)
    item_s, _ = _cluster_per_item(texts[:item_n])
    # the index on the baselines' own sizes, for like-for-like ratios
    index_small_s, _ = _cluster_batched(texts[:rebuild_n], batch, rebuild=False)
    index_item_s, _ = _cluster_batched(texts[:item_n], batch, rebuild=False)
    viral_trends, stray = _viral_purity(labels, origin)
    rates = {"index": n / index_s, "rebuild_per_batch": rebuild_n / rebuild_s, "datasketch_per_item": item_n / item_s,
             f"index_{rebuild_n}": rebuild_n / index_small_s, f"index_{item_n}": item_n / index_item_s}
    print(f"MinHash clustering: {n:,} short texts in batches of {batch:,} "
          f"({len(set(labels)):,} trends; the 2,000 viral messages' copies in {viral_trends:,} trends, "
          f"{stray:,} distinct texts joined to them)")
    print(f"{'clusterer':<44}{'texts':>11}{'seconds':>10}{'texts/s':>10}{'x baseline':>12}")
    print(f"{'datasketch per item (baseline)':<44}{item_n:>11,}{item_s:>10.1f}{rates['datasketch_per_item']:>10,.0f}"
          f"{1.0:>12.1f}")
    print(f"{'index, same texts':<44}{item_n:>11,}{index_item_s:>10.1f}{rates[f'index_{item_n}']:>10,.0f}"
          f"{item_s / index_item_s:>12.1f}")
    print(f"{'rebuild per batch (baseline, before)':<44}{rebuild_n:>11,}{rebuild_s:>10.1f}"
          f"{rates['rebuild_per_batch']:>10,.0f}{1.0:>12.1f}")
    print(f"{'index, same texts':<44}{rebuild_n:>11,}{index_small_s:>10.1f}{rates[f'index_{rebuild_n}']:>10,.0f}"
          f"{rebuild_s / index_small_s:>12.1f}")
    print(f"{'index (this code), all texts':<44}{n:>11,}{index_s:>10.1f}{rates['index']:>10,.0f}")
    return {"texts": n, "batch": batch, "trends": len(set(labels)), "viral_trends": viral_trends,
            "stray_joins": stray, "seconds": {"index": round(index_s, 2), "rebuild_per_batch": round(rebuild_s, 2),
                                              "datasketch_per_item": round(item_s, 2)},
            "texts_per_s": {k: round(v, 1) for k, v in rates.items()},
            "speedup": {"vs_rebuild_per_batch": round(rebuild_s / index_small_s, 2),
                        "vs_datasketch_per_item": round(item_s / index_item_s, 2)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--terms", type=int, default=100_000, help="lexicon terms (0 skips the lexicon part)")
    ap.add_argument("--text-kb", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pdq-hashes", type=int, default=1_000_000, help="stored PDQ hashes (0 skips the PDQ part)")
    ap.add_argument("--pdq-queries", type=int, default=200)
    ap.add_argument("--texts", type=int, default=1_000_000, help="MinHash: short texts to cluster (0 skips the part)")
    ap.add_argument("--batch", type=int, default=5000, help="MinHash: texts per intake batch")
    ap.add_argument("--rebuild-texts", type=int, default=100_000, help="MinHash: texts for the rebuild baseline")
    ap.add_argument("--item-texts", type=int, default=20_000, help="MinHash: texts for the per-item baseline")
    args = ap.parse_args()
    out: dict[str, Any] = {}
    if args.terms > 0:
        out["lexicon"] = lexicon_section(args)
    if args.pdq_hashes > 0:
        out["pdq"] = pdq_section(args)
    if args.texts > 0:
        out["minhash"] = minhash_part(args)
    print(json.dumps(out))
    if "pdq" in out and not out["pdq"]["identical"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
