"""Reading playbook files: YAML with line numbers kept, so a broken file is refused with
``file:line: where: what is wrong``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import ValidationFailed
from .spec import LocatedError, Playbook

MAX_FILE_BYTES = 512 * 1024
Loc = tuple[str | int, ...]


class PlaybookInvalid(ValidationFailed):
    """One line: ``file:line: path: problem``."""

    title = "Invalid playbook"


def _lines(node: yaml.Node, path: Loc, out: dict[Loc, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name: str | int = key.value
            if isinstance(name, str) and name.isdigit():
                name = int(name)  # severity keys (1: 2h) are numbers once loaded
            out[(*path, name)] = key.start_mark.line + 1
            _lines(value, (*path, name), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def parse(text: str, *, source: str = "<playbook>") -> Playbook:
    """Validate a playbook's YAML text; the first problem is raised with its line."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise PlaybookInvalid(f"{source}: larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise PlaybookInvalid(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if not isinstance(doc, dict) or node is None:
        raise PlaybookInvalid(f"{source}:1: a playbook is a YAML mapping (id, version, title, …)")
    lines: dict[Loc, int] = {}
    _lines(node, (), lines)
    try:
        return Playbook.model_validate(doc)
    except ValidationError as exc:
        raise PlaybookInvalid(_describe(exc, lines, source)) from None


def _describe(exc: ValidationError, lines: dict[Loc, int], source: str) -> str:
    err = exc.errors()[0]
    loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("-" in p or "[" in p)))
    located = (err.get("ctx") or {}).get("error")
    if isinstance(located, LocatedError):
        loc = (*loc, *located.loc)
    line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = f" (got {value!r})" if isinstance(value, str | int | float) and err["type"] != "missing" else ""
    if err["type"] == "missing":
        msg = "this field is required"
    elif err["type"] == "extra_forbidden":
        msg = "unknown field (a typo?)"
    return f"{source}:{line}: {_format_loc(loc)}: {msg}{shown}"


def read(path: Path) -> tuple[Playbook, str]:
    """A playbook file and its text."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise PlaybookInvalid(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PlaybookInvalid(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise PlaybookInvalid(f"{path}: cannot read ({exc.strerror})") from None
    return parse(text, source=str(path)), text


def as_dict(playbook: Playbook) -> dict[str, Any]:
    return playbook.model_dump(mode="json", exclude_none=True)
