"""`serve --workers N`: N web processes on one port and one process for the background jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from receivers import free_port


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_serve_runs_web_processes_and_one_job_process(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "RAPIDRESPONSE_VAR_DIR": str(tmp_path),
           "RAPIDRESPONSE_DATABASE_URL": f"sqlite:///{tmp_path / 'rr.db'}", "RAPIDRESPONSE_LOG_LEVEL": "WARNING"}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "rapidresponse", "serve", "--workers", "2", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        answers = [httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code for _ in range(20)]
        assert answers == [200] * 20
        children = _children(proc.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in children]
        jobs = [c for c in commands if c.endswith("rapidresponse worker ")]
        web = [c for c in commands if "multiprocessing" in c and "resource_tracker" not in c]
        assert len(jobs) == 1 and len(web) == 2, commands
        while time.monotonic() < deadline and not (tmp_path / "warehouse.duckdb").exists():
            time.sleep(0.3)  # the job process's first pass fills the analytics warehouse
        assert (tmp_path / "warehouse.duckdb").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
        log.close()
    left = children
    for _ in range(100):
        left = [pid for pid in children if Path(f"/proc/{pid}").exists() and ") Z " not in
                Path(f"/proc/{pid}/stat").read_text()]
        if not left:
            break
        time.sleep(0.1)
    assert not left, [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in left]  # none left running
