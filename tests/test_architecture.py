"""The architecture holds: the import contracts pass with no exception listed, every domain has the
same rooms and a declared public surface, and the event catalogue is typed end to end."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from rapidresponse import domains, events
from rapidresponse.i18n import english

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "rapidresponse"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
ROOMS = ("__init__.py", "__init__.pyi", "models.py", "schemas.py", "service.py", "events.py", "api.py", "cli.py",
         "views.py")


def test_the_import_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True) == 0, "run `lint-imports` to see which import breaks which contract"


def test_no_contract_lists_exceptions() -> None:
    for contract in CONFIG["contracts"]:
        assert not contract.get("ignore_imports"), contract["id"]


def test_every_domain_is_layered_protected_and_loaded() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert set(domains.DOMAINS) <= packages
    contracts = {c["id"]: c for c in CONFIG["contracts"]}
    layered = " ".join(contracts["layers"]["layers"])
    for name in domains.DOMAINS:
        assert f"rapidresponse.{name}" in layered, name
        assert contracts[f"{name}-surface"]["protected_modules"] == [f"rapidresponse.{name}.*"]
        assert f"rapidresponse.{name}" in contracts["rooms"]["containers"], name
    # Every other package is composition (dashboard, demo) or the shared interface pieces (web).
    assert packages - set(domains.DOMAINS) == {"dashboard", "demo", "web"}


@pytest.mark.parametrize("name", domains.DOMAINS)
def test_every_domain_has_the_same_rooms(name: str) -> None:
    folder = PACKAGE / name
    missing = [room for room in ROOMS if not (folder / room).exists()]
    assert not missing, f"{name} lacks {missing}"
    assert (folder / "templates" / name).is_dir(), f"{name}'s pages belong in {name}/templates/{name}/"
    exported = _all(folder / "__init__.pyi")
    assert exported, f"{name}/__init__.pyi declares its public surface in __all__"


@pytest.mark.parametrize("name", [*domains.DOMAINS, "demo"])
def test_a_domain_surface_is_lazy_and_every_name_in_it_resolves(name: str) -> None:
    """Importing a domain's package imports nothing behind it (a command or a ``--help`` pays only for
    what it calls); each name its stub exports then loads from the module the stub names."""
    code = (f"import sys, rapidresponse.{name} as d\n"
            f"assert not [m for m in sys.modules if m.startswith('rapidresponse.{name}.')], sys.modules\n"
            f"assert 'sqlalchemy' not in sys.modules\n"
            f"missing = [n for n in d.__all__ if getattr(d, n, None) is None]\n"
            f"assert not missing, missing\n"
            f"assert set(d.__all__) <= set(dir(d))\n"
            # A submodule named like an exported function (demo/seed.py, detection/backtest.py) does not
            # replace the function when it is imported.
            f"import importlib, importlib.util, types\n"
            f"clashes = [n for n in d._surface_attributes if importlib.util.find_spec('rapidresponse.{name}.' + n)]\n"
            f"[importlib.import_module('rapidresponse.{name}.' + n) for n in clashes]\n"
            f"assert not [n for n in clashes if isinstance(getattr(d, n), types.ModuleType)], clashes")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env())
    assert done.returncode == 0, done.stderr


def test_the_web_package_holds_no_domain_pages() -> None:
    web = PACKAGE / "web"
    assert not list(web.glob("*_views.py")) and not (web / "views.py").exists()
    assert {p.name for p in (web / "templates").iterdir()} <= {"base.html", "error.html", "macros.html"}


def test_every_event_type_is_typed_and_reads_in_words() -> None:
    domains.load()
    assert not hasattr(events, "record_legacy") and not hasattr(events, "subscribe_legacy")
    assert len(events.CATALOGUE) > 80
    for name, cls in events.CATALOGUE.items():
        if not cls.__module__.startswith("rapidresponse."):
            continue  # declared by a test
        assert cls.type == name and cls.subject_type, name
        assert cls.describe is not events.DomainEvent.describe, f"{name} says how it reads"
    # A stored event of every type reads back typed (from its fields' defaults where it has them).
    line = events.typed("incident.declared", "incident", 1, {
        "ref": "INC-2026-0001", "title": "Волна", "type": "dangerous_challenge", "severity": 2,
        "restricted": False}).describe(english)
    assert "Волна" in line and "SEV2" in line


def test_the_architecture_document_lists_every_event_type() -> None:
    from rapidresponse.demo import seed  # noqa: F401  (the demo's marker event)

    domains.load()
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    missing = sorted(name for name, cls in events.CATALOGUE.items()
                     if cls.__module__.startswith("rapidresponse.") and f"`{name}`" not in text)
    assert not missing, f"docs/architecture.md's catalogue lacks {missing}"


def _all(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    return []


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH"))
                                                         if p)}
