"""Images drawn with Pillow and random PDQ hashes for the hash-list tests."""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw


def picture(seed: int, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """A busy picture of coloured shapes, different for every seed."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    w, h = size
    for _ in range(40):
        x, y = rng.randrange(w), rng.randrange(h)
        dx, dy = rng.randrange(20, w // 2), rng.randrange(20, h // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + dx, y + dy), fill=colour)
        else:
            draw.rectangle((x, y, x + dx, y + dy), fill=colour)
    return img


def encode(img: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def variants(img: Image.Image) -> dict[str, bytes]:
    """The picture resized to half, re-encoded as a low-quality JPEG, and slightly cropped."""
    w, h = img.size
    return {
        "resized": encode(img.resize((w // 2, h // 2))),
        "jpeg": encode(img, "JPEG", quality=45),
        "cropped": encode(img.crop((w // 100, h // 100, w - w // 100, h - h // 100))),  # 1% off each side
    }


def random_hashes(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [row.tobytes().hex() for row in rng.integers(0, 256, size=(n, 32), dtype=np.uint8)]


def flip(value: str, bits: int, seed: int = 0) -> str:
    """``value`` with exactly ``bits`` distinct bits flipped."""
    rng = random.Random(seed)
    n = int(value, 16)
    for b in rng.sample(range(256), bits):
        n ^= 1 << b
    return f"{n:064x}"
