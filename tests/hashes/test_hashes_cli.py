"""`rapidresponse hashes …`: create a list, import a partner CSV, export it, match an image and a hash."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from hashkit import encode, flip, picture, random_hashes, variants
from rapidresponse.auth import Actor
from rapidresponse.cli import app as cli_app
from rapidresponse.hashes import pdq

runner = CliRunner()


def test_cli(engine: Engine, make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("admin", username="admin")
    make_user("analyst", username="reader")
    run = lambda *a: runner.invoke(cli_app, ["hashes", *a])  # noqa: E731
    result = run("create", "Partner TVEC", "--harm", "violent_extremism", "--source", "GIFCT")
    assert result.exit_code == 0, result.output
    img = picture(21)
    listed = pdq.hash_image(variants(img)["cropped"]).hash
    others = random_hashes(3, seed=9)
    csv_file = tmp_path / "partner.csv"
    csv_file.write_bytes(("pdq;tags;date\n" + f"{listed};attack still;2026-03-01\n" +
                          "".join(f"{h};tvec;\n" for h in others) + "zz;bad;\n").encode())
    result = run("import", "Partner TVEC", str(csv_file))
    assert result.exit_code == 0, result.output
    assert "accepted 4" in result.output and "rejected 1" in result.output and "line 6:" in result.output
    again = json.loads(run("import", "1", str(csv_file), "--json").output)
    assert (again["accepted"], again["duplicates"]) == (0, 4)
    assert run("import", "1", str(csv_file), "--all-or-nothing").exit_code == 2
    assert run("import", "1", str(tmp_path / "missing.csv")).exit_code == 2
    assert "does not allow hashlists:manage" in run("import", "1", str(csv_file), "--as", "reader").output

    image = tmp_path / "upload.png"
    image.write_bytes(encode(img))
    found = json.loads(run("match", str(image), "--as", "reader", "--json").output)
    assert [m["label"] for m in found["matches"]] == ["attack still"] and found["quality"] >= 50
    by_hash = json.loads(run("match", flip(others[0], 31), "--json", "--as", "reader").output)
    assert [m["distance"] for m in by_hash["matches"]] == [31]
    assert "no match" in run("match", flip(others[0], 32)).output
    bad = run("match", "not-a-hash-nor-a-file")
    assert bad.exit_code == 2 and "neither a PDQ hash" in bad.output
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\xff\xd8 not really")
    assert run("match", str(garbage)).exit_code == 2

    out = tmp_path / "export.csv"
    assert run("export", "Partner TVEC", "-o", str(out)).exit_code == 0
    text = out.read_text("utf-8")
    assert text.startswith("hash,label,source,added,note\n") and listed in text and len(text.splitlines()) == 5
    listed_rows = json.loads(run("lists", "--json").output)
    assert listed_rows[0]["entries"] == 4 and listed_rows[0]["version"] == 2
