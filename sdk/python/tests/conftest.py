"""Shared fixtures: the signature vectors and the real Posthorn server."""

from __future__ import annotations

import base64
import json
import os
import pathlib
from typing import Any

import pytest

REPO_ROOT = next(p for p in pathlib.Path(__file__).resolve().parents if (p / "buf.gen.yaml").exists())


def load_vectors() -> dict[str, Any]:
    """test/vectors/signatures.json (see test/vectors/README.md): the TypeScript and Go
    verifiers run the same file, so the three cannot drift apart."""
    path = pathlib.Path(os.environ.get("POSTHORN_VECTORS", REPO_ROOT / "test" / "vectors" / "signatures.json"))
    vectors = json.loads(path.read_text(encoding="utf-8"))
    assert vectors["cases"] and vectors["failures"], f"{path} has no cases or no failures"
    return vectors


VECTORS = load_vectors()


def body_of(vector: dict[str, Any]) -> bytes:
    return base64.b64decode(vector["body_base64"], validate=True)


@pytest.fixture(scope="session")
def posthorn_server():
    """The address of a real server (embedded database, loopback receivers allowed)."""
    from .server import start_server

    with start_server(REPO_ROOT) as address:
        yield address
