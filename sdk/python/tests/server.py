"""Starts the real Posthorn server (TypeScript, embedded PostgreSQL) the way an operator does:
``npx tsx server/src/cli/main.ts serve`` from the repository root, configured by env."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import queue
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from typing import Optional

import pytest

STARTUP_TIMEOUT_SECONDS = 90

ADMIN_KEY = "phk_testadminkeytestadminkeytestadminkey0000000"
"""The admin API key the server starts with (POSTHORN_BOOTSTRAP_ADMIN_KEY): the TypeScript
tests' TEST_ADMIN_KEY. Clients call with ``api_key=ADMIN_KEY``."""


@contextlib.contextmanager
def start_server(repo_root: pathlib.Path, extra_env: Optional[dict[str, str]] = None) -> Iterator[str]:
    """Yields ``127.0.0.1:<port>``. DATABASE_URL is removed from the child's environment so it
    always uses the embedded database in a fresh temporary folder. ``extra_env`` adds variables
    (e.g. the TLS files). SIGTERM at the end."""
    if not (repo_root / "server" / "src" / "cli" / "main.ts").exists():
        pytest.skip("server/src/cli/main.ts does not exist yet")
    tsx = repo_root / "node_modules" / ".bin" / "tsx"
    if not tsx.exists():
        pytest.fail(f"{tsx} is missing: run npm ci at the repository root")

    with tempfile.TemporaryDirectory(prefix="posthorn-pytest-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            POSTHORN_LISTEN_ADDRESS="127.0.0.1:0",
            POSTHORN_DATA_DIR=data_dir,
            POSTHORN_ALLOWED_CIDRS="127.0.0.1/32",
            POSTHORN_LOG_LEVEL="info",
            POSTHORN_METRICS_ADDRESS="off",
            POSTHORN_HTTP_ADDRESS="127.0.0.1:0",
            POSTHORN_BOOTSTRAP_ADMIN_KEY=ADMIN_KEY,
        )
        env.update(extra_env or {})
        stderr_file = tempfile.TemporaryFile()
        # Own session/process group: tsx runs node as a child, and SIGTERM must reach both.
        process = subprocess.Popen(
            [str(tsx), "server/src/cli/main.ts", "serve"],
            cwd=repo_root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            start_new_session=True,
        )
        addresses: queue.Queue[str] = queue.Queue()

        def read_stdout() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("msg") == "listening" and record.get("address"):
                    addresses.put(record["address"])

        threading.Thread(target=read_stdout, daemon=True).start()

        def stderr_text() -> str:
            stderr_file.seek(0)
            return stderr_file.read().decode("utf-8", "replace")

        try:
            try:
                address = addresses.get(timeout=STARTUP_TIMEOUT_SECONDS)
            except queue.Empty:
                state = f"exited with {process.returncode}" if process.poll() is not None else "still running"
                pytest.fail(f"the server printed no listening line within {STARTUP_TIMEOUT_SECONDS} s ({state}); stderr:\n{stderr_text()}")
            yield address
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    pytest.fail(f"the server did not stop within 15 s of SIGTERM; stderr:\n{stderr_text()}")
            stderr_file.close()
