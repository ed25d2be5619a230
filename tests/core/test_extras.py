"""What only some deployments install (the extras): a feature whose library is missing says which
extra to install, in one line (HTTP 501, CLI exit code 2), and the rest of the product works on."""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from rapidresponse import auth, extras
from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.cli import app as cli_app
from rapidresponse.db import unit_of_work
from rapidresponse.errors import FeatureUnavailable
from rapidresponse.hashes.index import PdqIndex, brute_force


def _missing(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``modules`` unimportable, as on an installation without their extra."""
    for name in modules:
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            monkeypatch.delitem(sys.modules, loaded)
        monkeypatch.setitem(sys.modules, name, None)


def test_a_missing_library_names_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _missing(monkeypatch, "pyarrow")
    assert not extras.available("pyarrow") and extras.available("json")
    with pytest.raises(FeatureUnavailable) as raised:
        extras.need("pyarrow", "parquet")
    assert raised.value.status == 501
    assert raised.value.detail == ("importing signals from Parquet files needs the 'parquet' extra: "
                                   "pip install 'rapidresponse[parquet]'")
    assert extras.need("json", "parquet") is sys.modules["json"]


def test_parquet_import_without_pyarrow_is_one_line_and_stores_nothing(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, make_user: Callable[..., Actor]) -> None:
    make_user("admin", username="importer")
    path = tmp_path / "signals.parquet"
    path.write_bytes(b"PAR1 not really")
    _missing(monkeypatch, "pyarrow")
    result = CliRunner().invoke(cli_app, ["signals", "import", str(path), "--as", "importer"])
    assert result.exit_code == 2, result.output
    assert "needs the 'parquet' extra" in result.output and "Traceback" not in result.output


def test_checking_an_image_without_pdqhash_is_501_and_hashes_still_match(
        monkeypatch: pytest.MonkeyPatch, engine: Engine, make_user: Callable[..., Actor]) -> None:
    reader = make_user("analyst")
    with unit_of_work() as s:
        _, secret = auth.create_token(s, reader, name="tests")
    headers = {"Authorization": f"Bearer {secret}"}
    _missing(monkeypatch, "pdqhash")
    with TestClient(create_app(embedded_worker=False)) as client:
        image = client.post("/api/v1/hashes:match", headers=headers,
                            json={"image": base64.b64encode(b"\x89PNG whatever").decode()})
        assert image.status_code == 501, image.text
        assert image.headers["content-type"] == "application/problem+json"
        assert "'hashing' extra" in image.json()["detail"]
        given = client.post("/api/v1/hashes:match", headers=headers, json={"hashes": ["0" * 64]})
        assert given.status_code == 200, given.text


def test_without_faiss_the_index_matches_by_brute_force_with_the_same_answers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.integers(0, 256, size=(500, 32), dtype=np.uint8)
    thresholds = rng.integers(20, 40, size=500)
    queries = vectors[:40] ^ rng.integers(0, 2, size=(40, 32), dtype=np.uint8)
    with_faiss = PdqIndex(vectors, thresholds)
    assert with_faiss.index is not None
    _missing(monkeypatch, "faiss")
    without = PdqIndex(vectors, thresholds)
    assert without.index is None
    expected = brute_force(vectors, thresholds, queries)
    assert without.search(queries) == with_faiss.search(queries) == expected and expected
