"""PDQ hashes of real images, and the FAISS range search against numpy brute force."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hashkit import encode, flip, picture, random_hashes, variants
from rapidresponse.errors import ValidationFailed
from rapidresponse.hashes import pdq
from rapidresponse.hashes.index import PdqIndex, brute_force


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_image_and_its_copies_are_within_31_and_an_unrelated_one_is_not(seed: int) -> None:
    original = picture(seed)
    base = pdq.hash_image(encode(original))
    assert len(base.hash) == 64 and base.quality >= pdq.MIN_QUALITY
    for name, data in variants(original).items():
        d = pdq.distance(base.hash, pdq.hash_image(data).hash)
        assert d <= pdq.DEFAULT_DISTANCE, (name, d)
    for other_seed in (10, 11, 12):
        other = pdq.hash_image(encode(picture(other_seed)))
        assert pdq.distance(base.hash, other.hash) > pdq.DEFAULT_DISTANCE, other_seed


def test_the_hash_does_not_depend_on_the_image_format() -> None:
    img = picture(5)
    assert pdq.hash_image(encode(img)).hash == pdq.hash_image(encode(img, "BMP")).hash


@pytest.mark.parametrize("data", [b"", b"not an image", encode(picture(1))[:300], b"\x00" * 64])
def test_unreadable_images_are_refused(data: bytes) -> None:
    with pytest.raises(ValidationFailed):
        pdq.hash_image(data)


def test_a_decompression_bomb_is_refused() -> None:
    from PIL import Image

    huge = encode(Image.new("1", (10_000, 10_000)), "PNG")  # a small file of 100 megapixels
    with pytest.raises(ValidationFailed, match="pixels"):
        pdq.hash_image(huge)


@pytest.mark.parametrize(("value", "why"), [
    ("ab" * 31, "62 characters"), ("ab" * 33, "66 characters"), ("g" + "a" * 63, "'g'"),
    ("а" * 64, "'а'"), ("a" * 63 + "\x00", "'\\x00'"), (123, "a string"),
])
def test_hash_format_is_strict(value: object, why: str) -> None:
    with pytest.raises(ValidationFailed, match=re.escape(why)):
        pdq.parse_hash(value)


def test_hash_format_accepts_case_spaces_and_0x() -> None:
    value = "AB" * 32
    assert pdq.parse_hash(f"  0x{value} ") == "ab" * 32
    assert pdq.is_pdq(value) and not pdq.is_pdq("ab" * 16) and not pdq.is_pdq(None)


def test_faiss_equals_brute_force_on_random_hashes_with_boundary_distances() -> None:
    stored = random_hashes(5000, seed=1)
    queries = []
    # Exactly 0, 30, 31, 32 and 33 bits away from stored hashes, plus random queries (nothing near).
    for i, bits in enumerate((0, 30, 31, 32, 33) * 20):
        queries.append(flip(stored[i * 7], bits, seed=i))
    queries += random_hashes(100, seed=2)
    vectors, q = pdq.to_bytes(stored), pdq.to_bytes(queries)
    thresholds = np.full(len(stored), 31, dtype=np.int32)
    index = PdqIndex(vectors, thresholds)
    got = index.search(q)
    want = brute_force(vectors, thresholds, q)
    assert got == want
    found = {(h.query, h.position): h.distance for h in got}
    for i, bits in enumerate((0, 30, 31, 32, 33) * 20):
        if bits <= 31:
            assert found[(i, i * 7)] == bits
        else:
            assert (i, i * 7) not in found
    assert all(h.distance <= 31 for h in got)


def test_per_row_thresholds_are_honoured() -> None:
    stored = random_hashes(200, seed=3)
    thresholds = np.array([10 if i % 2 else 40 for i in range(200)], dtype=np.int32)
    queries = [flip(stored[i], 20, seed=i) for i in range(10)]
    index = PdqIndex(pdq.to_bytes(stored), thresholds)
    got = index.search(pdq.to_bytes(queries))
    assert got == brute_force(pdq.to_bytes(stored), thresholds, pdq.to_bytes(queries))
    assert {h.position for h in got} == {i for i in range(10) if i % 2 == 0}


def test_an_empty_index_matches_nothing() -> None:
    index = PdqIndex(pdq.to_bytes([]), np.zeros(0, dtype=np.int32))
    assert index.search(pdq.to_bytes(random_hashes(3))) == []
