"""PDQ perceptual hashes: computing one from an image, and the strict format of a hash.

A PDQ hash is 256 bits, written as 64 lowercase hex digits (the form hash-sharing partners use).
Two images whose hashes differ in at most 31 bits are, by the reference's recommendation, the same
picture (resized, re-encoded, lightly cropped or recoloured). Quality is 0-100; hashes of quality
below 50 (flat or nearly blank images) match too much to be trusted.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ValidationFailed
from ..extras import need

if TYPE_CHECKING:
    import numpy as np

BITS = 256
HEX_LEN = BITS // 4
DEFAULT_DISTANCE = 31
MIN_QUALITY = 50
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
HASHING_SIDE = 1024  # larger images are downscaled first: PDQ reduces them to 64×64 anyway
_HEX = re.compile(r"^[0-9a-f]{64}$")


def parse_hash(value: object) -> str:
    """The canonical (lowercase) form of a PDQ hash, or ValidationFailed saying what is wrong."""
    if not isinstance(value, str):
        raise ValidationFailed("a PDQ hash is a string of 64 hex digits")
    text = value.strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    if len(text) != HEX_LEN:
        raise ValidationFailed(f"a PDQ hash has 64 hex digits (256 bits), this one has {len(text)} characters")
    if not _HEX.match(text):
        bad = next((c for c in text if c not in "0123456789abcdef"), "?")
        raise ValidationFailed(f"a PDQ hash has only hex digits 0-9 and a-f, not {bad!r}")
    return text


def is_pdq(value: object) -> bool:
    """Whether ``value`` is written as a PDQ hash (used at intake on ``media_hash``)."""
    return isinstance(value, str) and len(value.strip()) in (HEX_LEN, HEX_LEN + 2) and _is_hex(value)


def _is_hex(value: str) -> bool:
    try:
        parse_hash(value)
    except ValidationFailed:
        return False
    return True


def to_bytes(hexes: list[str]) -> np.ndarray:
    """Canonical hex hashes as an (n, 32) uint8 array, the layout FAISS binary indexes take."""
    import numpy as np

    if not hexes:
        return np.zeros((0, BITS // 8), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hexes)), dtype=np.uint8).reshape(len(hexes), BITS // 8).copy()


def distance(a: str, b: str) -> int:
    return int(bin(int(a, 16) ^ int(b, 16)).count("1"))


@dataclass(frozen=True)
class ImageHash:
    hash: str
    quality: int
    width: int
    height: int


def hash_image(data: bytes) -> ImageHash:
    """The PDQ hash of an image (any format Pillow reads). The bytes are neither kept nor written anywhere."""
    import numpy as np

    pdqhash = need("pdqhash", "hashing")
    need("PIL", "hashing")
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ValidationFailed("the image is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationFailed(f"the image is {len(data)} bytes; at most {MAX_IMAGE_BYTES}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise ValidationFailed(f"the image is {width}×{height} pixels; at most {MAX_PIXELS} pixels")
                img.draft("RGB", (HASHING_SIDE, HASHING_SIDE))  # JPEG: decode at a reduced scale
                rgb = img.convert("RGB")
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationFailed(f"not an image Pillow can read: {str(exc)[:200]}") from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt files
        raise ValidationFailed(f"the image cannot be decoded: {str(exc)[:200]}") from None
    if max(rgb.size) > HASHING_SIDE:
        rgb.thumbnail((HASHING_SIDE, HASHING_SIDE), Image.Resampling.BILINEAR)
    vector, quality = pdqhash.compute(np.asarray(rgb, dtype=np.uint8))
    bits = np.asarray(vector, dtype=np.uint8).reshape(-1)
    return ImageHash(hash=np.packbits(bits).tobytes().hex(), quality=int(quality), width=width, height=height)
