"""Where playbooks come from: the built-in files, a team's directory (``RAPIDRESPONSE_PLAYBOOK_DIR``) and
playbooks saved through the UI, in that order of precedence (a later source replaces a playbook of
the same id). A broken file in the team's directory does not take the library down: it is listed
with its error and skipped."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..config import get_settings
from . import files
from .spec import Playbook

BUILTIN_DIR = Path(__file__).parent / "library"
SOURCES = ("builtin", "directory", "ui")


@dataclass(frozen=True)
class Entry:
    playbook: Playbook
    text: str
    source: str  # builtin | directory | ui
    origin: str  # the file, or "ui" with the saving user

    @property
    def sha256(self) -> str:
        return sha256(self.text)


@dataclass(frozen=True)
class BrokenFile:
    path: str
    error: str


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def team_dir() -> Path | None:
    return get_settings().playbook_dir


@lru_cache(maxsize=256)
def _read_cached(path: str, mtime_ns: int, size: int) -> tuple[Playbook, str]:
    return files.read(Path(path))


def _read(path: Path) -> tuple[Playbook, str]:
    st = path.stat()
    return _read_cached(str(path), st.st_mtime_ns, st.st_size)


def _scan(directory: Path, source: str) -> tuple[list[Entry], list[BrokenFile]]:
    entries: list[Entry] = []
    broken: list[BrokenFile] = []
    if not directory.is_dir():
        return entries, broken
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            playbook, text = _read(path)
        except files.PlaybookInvalid as exc:
            broken.append(BrokenFile(str(path), exc.detail))
            continue
        entries.append(Entry(playbook, text, source, str(path)))
    return entries, broken


def from_files() -> tuple[dict[str, Entry], list[BrokenFile]]:
    """Built-in playbooks with the team directory's over them, and the team files that are broken."""
    builtin, broken_builtin = _scan(BUILTIN_DIR, "builtin")
    if broken_builtin:  # a release never ships a broken playbook; say so loudly if one does
        raise files.PlaybookInvalid(broken_builtin[0].error)
    found = {e.playbook.id: e for e in builtin}
    over = team_dir()
    broken: list[BrokenFile] = []
    if over is not None:
        team, broken = _scan(over, "directory")
        found.update({e.playbook.id: e for e in team})
    return found, broken
