"""Lazy package surfaces: a domain's public names load the module behind them on first use.

A domain package declares its surface in ``__init__.pyi`` (the relative imports and ``__all__`` that
type checkers read) and its ``__init__.py`` attaches it::

    from ..surface import attach

    __getattr__, __dir__, __all__ = attach(__name__, __file__)

So ``from rapidresponse import hashes`` costs nothing until ``hashes.search`` is used, and a command
or a ``--help`` imports only the modules it calls (PEP 562). What a domain registers with the shared
machinery (tables, event types, subscribers, jobs) loads through :func:`rapidresponse.domains.load`.
Unlike ``lazy_loader.attach_stub``, ``from .updates import send as send_update`` keeps its alias.
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any


class _Surface(types.ModuleType):
    """A package whose exported names win over its submodules of the same name: importing
    ``demo/seed.py`` must not replace ``demo.seed``, the function the surface exports (an eager
    ``from .seed import seed`` gave the same result)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in self.__dict__.get("_surface_attributes", ()):
            return
        super().__setattr__(name, value)


def attach(package: str, init_file: str) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package`` from the stub next to ``init_file``."""
    tree = ast.parse(Path(init_file).with_suffix(".pyi").read_text(encoding="utf-8"))
    where: dict[str, tuple[str, str | None]] = {}  # public name -> (module, attribute; None for a submodule)
    exported: list[str] | None = None
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            if node.level != 1:
                raise ValueError(f"{package}/__init__.pyi: only imports from the package itself (from .x import y)")
            for alias in node.names:
                name = alias.asname or alias.name
                where[name] = ((f".{node.module}", alias.name) if node.module else (f".{alias.name}", None))
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            exported = list(ast.literal_eval(node.value))
    names = exported if exported is not None else sorted(where)
    missing = set(names) - set(where)
    if missing:
        raise ValueError(f"{package}/__init__.pyi exports names it does not import: {sorted(missing)}")

    def __getattr__(name: str) -> Any:
        try:
            module, attribute = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        loaded = importlib.import_module(module, package)
        value = loaded if attribute is None else getattr(loaded, attribute)
        setattr(sys.modules[package], name, value)  # the next access is a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*names, *vars(sys.modules[package])})

    module = sys.modules[package]
    module.__dict__["_surface_attributes"] = frozenset(n for n, (_, a) in where.items() if a is not None)
    module.__class__ = _Surface
    return __getattr__, __dir__, names
