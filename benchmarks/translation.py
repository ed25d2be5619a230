"""Translation: fuzzy look-up in a translation memory of a million segments, and glossary checks.

1. **Memory look-up.** ``--segments`` synthetic Russian-like sentences (1,000,000: 6 to 16 words from
   a Zipf-distributed vocabulary of 40,000 words with Russian endings) go into a
   :class:`~rapidresponse.translation.memory_index.MemoryIndex`. Queries are stored sentences with one
   word changed or re-inflected (what a translator meets: the same sentence, slightly different).
   **Indexed**: ``index.search`` (word-key candidates, then rapidfuzz on at most 400 of them).
   **Baseline**, in the same run: ``index.scan``, rapidfuzz's ``process.extract`` over every segment
   (its C++ scorer with the same cut-off). Mean per query over ``--queries`` (200) indexed and
   ``--scan-queries`` (20) scanned; ratio = scan / indexed. Also: how often the index's best match has
   the scan's best score.
2. **Glossary checks.** The demo's glossary (100 terms in ru/en/kk/uk) checks a Russian source and its
   English translation of ``--words`` (1,000) words each (``checks.run``: glossary terms with
   inflection, forbidden variants, numbers, links, tags, placeholders). **Baseline**: reading the same
   two texts into lower-cased words (``str.lower().split()``), so the figure says what the checks cost
   over merely reading the text. Best of ``--repeat`` (5), with the word cache warm as in a server.

    .venv/bin/python benchmarks/translation.py [--segments 1000000] [--queries 200] [--words 1000]

Prints a table, then one JSON line. Bounded: about two minutes and 1.5 GB of memory for a million
segments; no network, no database.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from rapidresponse.translation import checks
from rapidresponse.translation.memory_index import MemoryIndex

LETTERS = "абвгдеёжзийклмнопрстуфхцчшщыьэюя"
ENDINGS = ("", "а", "ы", "у", "ой", "ами", "ах", "ов", "ем", "ие", "ия", "ого", "ому", "ая", "ую")
# Sentences the checked texts are made of: glossary terms (inflected) and ordinary words.
TEXTS = ("Инцидент локализован: хешей в списке 120, алерт закрыт, жалоба передана регулятору",
         "The incident is mitigated: 120 hashes on the list, alert closed, complaint sent to the regulator",
         "мы удалили видео и заблокировали аккаунты после проверки модераторами сегодня утром",
         "we removed the videos and blocked the accounts after the moderators checked them this morning")
GLOSSARY = Path(__file__).resolve().parent.parent / "src" / "rapidresponse" / "demo" / "glossary.yaml"


def _vocabulary(rng: random.Random, n: int) -> list[str]:
    stems = {"".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 8))) for _ in range(n * 2)}
    return sorted(stems)[:n]


def _sentences(rng: random.Random, vocab: list[str], n: int) -> list[str]:
    weights = [1 / (i + 1) for i in range(len(vocab))]
    words = rng.choices(vocab, weights=weights, k=n * 11)
    endings = rng.choices(ENDINGS, k=n * 11)
    out, i = [], 0
    for _ in range(n):
        k = rng.randint(6, 16)
        out.append(" ".join(w + e for w, e in zip(words[i:i + k], endings[i:i + k], strict=True)).capitalize() + ".")
        i = (i + k) % (len(words) - 20)
    return out


def _variant(rng: random.Random, sentence: str, vocab: list[str]) -> str:
    words = sentence.rstrip(".").split()
    j = rng.randrange(len(words))
    words[j] = (words[j] + rng.choice(ENDINGS[1:])) if rng.random() < 0.5 else rng.choice(vocab)
    return " ".join(words) + "."


def _timed(fn: Any, items: list[Any]) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    out = [fn(x) for x in items]
    return (time.perf_counter() - started) / len(items), out


def memory_lookup(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    vocab = _vocabulary(rng, 40_000)
    segments = _sentences(rng, vocab, args.segments)
    started = time.perf_counter()
    index = MemoryIndex(segments)
    built = time.perf_counter() - started
    queries = [_variant(rng, rng.choice(segments), vocab) for _ in range(args.queries)]
    indexed, found = _timed(lambda q: index.search(q, limit=3), queries)
    scanned_queries = queries[:args.scan_queries]
    scanned, truth = _timed(lambda q: index.scan(q, limit=3), scanned_queries)
    same = sum(bool(f) and bool(t) and f[0].score == t[0].score for f, t in zip(found, truth, strict=False))
    return {"segments": len(segments), "build_s": round(built, 1), "indexed_ms": round(indexed * 1000, 3),
            "scan_ms": round(scanned * 1000, 1), "ratio": round(scanned / indexed, 1),
            "best_found": f"{same}/{len(truth)}"}


def glossary_checks(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    import yaml

    rows = yaml.safe_load(GLOSSARY.read_text("utf-8"))["terms"]
    entries = [checks.Entry(r[0], {"en": {"preferred": r[0]}, "ru": {"preferred": r[3], "forbidden": r[6]}},
                            len(r) > 7) for r in rows]
    glossary = checks.Glossary(entries, "ru", "en")
    ru_words, en_words, filler_ru, filler_en = (t.split() for t in TEXTS)
    source = " ".join(rng.choice((ru_words, filler_ru))[i % 10] for i in range(args.words))
    target = " ".join(rng.choice((en_words, filler_en))[i % 10] for i in range(args.words))
    checks.run(source, target, source_lang="ru", target_lang="en", glossary=glossary)  # warm the word cache
    best_check = best_read = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        problems = checks.run(source, target, source_lang="ru", target_lang="en", glossary=glossary)
        best_check = min(best_check, time.perf_counter() - started)
        started = time.perf_counter()
        for _ in range(100):
            source.lower().split(), target.lower().split()
        best_read = min(best_read, (time.perf_counter() - started) / 100)
    per_1000 = best_check * 1000 / args.words
    return {"terms": len(entries), "words": args.words, "check_ms_per_1000_words": round(per_1000 * 1000, 2),
            "read_ms": round(best_read * 1000, 3), "ratio_to_reading": round(best_check / best_read, 1),
            "problems": len(problems)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--scan-queries", type=int, default=20)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    look = memory_lookup(args, rng)
    gl = glossary_checks(args, rng)
    print(f"memory of {look['segments']:,} segments (index built in {look['build_s']} s)")
    print(f"  fuzzy look-up, indexed       {look['indexed_ms']:>10} ms/query")
    print(f"  fuzzy look-up, full scan     {look['scan_ms']:>10} ms/query   (baseline)")
    print(f"  ratio scan / indexed         {look['ratio']:>10}×   best match found {look['best_found']}")
    print(f"glossary checks ({gl['terms']} terms, ru → en)")
    print(f"  per 1,000 words              {gl['check_ms_per_1000_words']:>10} ms")
    print(f"  reading the texts            {gl['read_ms']:>10} ms   (baseline); ratio {gl['ratio_to_reading']}×")
    print(json.dumps({"memory": look, "glossary": gl}))


if __name__ == "__main__":
    main()
