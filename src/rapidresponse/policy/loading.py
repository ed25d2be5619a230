"""Policy data files: YAML reading, the override directory, and one-line errors.

The packaged data lives in ``policy/data``. A policy team corrects it without a release by
pointing ``RAPIDRESPONSE_POLICY_DIR`` at a directory with the same layout (``taxonomy.yaml``,
``countries/<ISO>.yaml``) holding only what changes. Override documents are deep-merged over the
packaged ones: mappings key by key, lists of mappings by their identity key (``slug``, ``id``,
``name``), other values replaced; an item with ``remove: true`` deletes its namesake. A validation
error names the file the offending value came from and its path inside the document. (Corrections
made in the UI are stored in the database and laid over all of this: see :mod:`.profiles`.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ValidationError

from ..config import get_settings
from ..errors import ValidationFailed

# A data file's ``version: 2`` or ``version: 1.1`` is YAML's number; keep it as the text it was written as.
VersionText = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int | float) else v)]

DATA_DIR = Path(__file__).parent / "data"
IDENTITY_KEYS = ("slug", "id", "name", "code")  # "id" before "name": a regulator's name is a mapping
M = TypeVar("M", bound=BaseModel)
Path_ = tuple[str | int, ...]


class PolicyDataError(ValidationFailed):
    """A policy data file is unreadable or invalid; ``detail`` is one line: file: path: problem."""

    title = "Invalid policy data"


def override_dir() -> Path | None:
    """``$RAPIDRESPONSE_POLICY_DIR``: a policy team's own data files, read-only to the application.

    Without it, ``<var dir>/policy`` when it exists: earlier releases saved the corrections made in
    the UI there, and they keep applying under the corrections now stored in the database."""
    settings = get_settings()
    if settings.policy_dir:
        return settings.policy_dir
    earlier = settings.var_dir / "policy"
    return earlier if earlier.is_dir() else None


def signature(subdir: str) -> tuple[tuple[str, int], ...]:
    """Names and modification times of the override files in ``subdir``: a cache key that changes
    when the team changes its files."""
    over = override_dir()
    if over is None or not (over / subdir).is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in (over / subdir).glob("*.yaml")))


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when the wheel has it: ~10x faster


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise PolicyDataError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except OSError as exc:
        raise PolicyDataError(f"{path}: cannot read ({exc.strerror})") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise PolicyDataError(f"{path}: the document must be a mapping, not {type(doc).__name__}")
    return doc


def _identity(item: Any) -> tuple[str, Any] | None:
    if isinstance(item, dict):
        for key in IDENTITY_KEYS:
            if key in item:
                return key, item[key]
    return None


def merge(base: Any, over: Any, *, source: str, path: Path_ = (), provenance: dict[Path_, str]) -> Any:
    """Deep-merge ``over`` onto ``base``; record in ``provenance`` which paths came from ``source``."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            if key in base:
                out[key] = merge(base[key], value, source=source, path=(*path, key), provenance=provenance)
            else:
                out[key] = value
                provenance[(*path, key)] = source
        return out
    keyed = isinstance(base, list) and bool(base) and all(_identity(i) for i in base)
    if keyed and over == []:
        return base  # nothing to add; delete entries with `remove: true`
    if isinstance(base, list) and isinstance(over, list) and over and all(_identity(i) for i in over):
        out_list = list(base)
        for item in over:
            ident = _identity(item)
            idx = next((i for i, b in enumerate(out_list) if _identity(b) == ident), None)
            if item.get("remove") is True:
                if idx is not None:
                    out_list.pop(idx)
                continue
            if idx is None:
                provenance[(*path, len(out_list))] = source
                out_list.append(item)
            else:
                out_list[idx] = merge(out_list[idx], item, source=source, path=(*path, idx), provenance=provenance)
        return out_list
    provenance[path] = source
    return over


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def validate(model: type[M], doc: dict[str, Any], *, base: str, provenance: dict[Path_, str]) -> M:
    """Validate ``doc`` as ``model``; the first error becomes one line naming file and path."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        source = base
        for n in range(len(loc), -1, -1):
            if loc[:n] in provenance:
                source = provenance[loc[:n]]
                break
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        shown = f" (got {value!r})" if isinstance(value, str | int | float) and err["type"] != "missing" else ""
        raise PolicyDataError(f"{source}: {_format_loc(loc)}: {msg}{shown}") from None


def load_document(model: type[M], relative: str, *, required: bool = True) -> M | None:
    """Read ``data/<relative>``, merge ``$RAPIDRESPONSE_POLICY_DIR/<relative>`` over it, validate."""
    base_path = DATA_DIR / relative
    over = override_dir()
    over_path = over / relative if over else None
    has_base, has_over = base_path.exists(), bool(over_path and over_path.exists())
    if not has_base and not has_over:
        if required:
            raise PolicyDataError(f"{base_path}: missing policy data file")
        return None
    provenance: dict[Path_, str] = {}
    doc = read_yaml(base_path) if has_base else {}
    if has_over and over_path is not None:
        if not has_base:
            return validate(model, read_yaml(over_path), base=str(over_path), provenance=provenance)
        doc = merge(doc, read_yaml(over_path), source=str(over_path), provenance=provenance)
    return validate(model, doc, base=str(base_path), provenance=provenance)


def list_names(subdir: str, suffix: str = ".yaml") -> list[str]:
    """File names (without suffix) in ``data/<subdir>`` and the override's ``<subdir>``."""
    names = {p.name.removesuffix(suffix) for p in (DATA_DIR / subdir).glob(f"*{suffix}")}
    over = override_dir()
    if over and (over / subdir).is_dir():
        names |= {p.name.removesuffix(suffix) for p in (over / subdir).glob(f"*{suffix}")}
    return sorted(names)
