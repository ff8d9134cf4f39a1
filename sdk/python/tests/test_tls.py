"""TLS and mTLS against the real server, with a CA and certificates the test makes (openssl)."""

from __future__ import annotations

import pathlib
import subprocess

import grpc
import pytest

import posthorn
from posthorn.v1 import ListEventTypesRequest

from .conftest import REPO_ROOT
from .server import ADMIN_KEY, start_server


def _make_certificates(folder: pathlib.Path) -> dict[str, pathlib.Path]:
    """A P-256 CA, a server certificate for localhost/127.0.0.1/::1 and a client certificate."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *new_key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Posthorn Python test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for stem, subject, extensions in [
        ("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n"),
        ("client", "/CN=posthorn-python-test-client", "extendedKeyUsage=clientAuth\n"),
    ]:
        (folder / f"{stem}.ext").write_text(extensions)
        openssl("req", *new_key, "-keyout", f"{stem}.key", "-out", f"{stem}.csr", "-subj", subject)
        openssl("x509", "-req", "-in", f"{stem}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{stem}.pem", "-days", "2", "-extfile", f"{stem}.ext")
    return {name: folder / name for name in ["ca.pem", "server.pem", "server.key", "client.pem", "client.key"]}


def _list_event_types(address: str, **kwargs: object) -> list[str]:
    with posthorn.connect(address, api_key=ADMIN_KEY, max_attempts=1, timeout=20, **kwargs) as client:  # type: ignore[arg-type]
        return list(client.ListEventTypes(ListEventTypesRequest()).event_types)


def test_mutual_tls(tmp_path: pathlib.Path) -> None:
    files = _make_certificates(tmp_path)
    env = {
        "POSTHORN_TLS_CERT_FILE": str(files["server.pem"]),
        "POSTHORN_TLS_KEY_FILE": str(files["server.key"]),
        "POSTHORN_TLS_CLIENT_CA_FILE": str(files["ca.pem"]),
    }
    ca = files["ca.pem"].read_bytes()
    client_cert = {"certificate_chain": files["client.pem"].read_bytes(), "private_key": files["client.key"].read_bytes()}
    with start_server(REPO_ROOT, env) as address:
        assert "lead.created" in _list_event_types(address, root_certificates=ca, **client_cert)

        refusals = {
            "no client certificate": {"root_certificates": ca},
            "CA not trusted": {"tls": True, **client_cert},
            "plaintext (the default on loopback)": {},
        }
        for name, kwargs in refusals.items():
            with pytest.raises(grpc.RpcError) as failure:
                _list_event_types(address, **kwargs)
            assert failure.value.code() == grpc.StatusCode.UNAVAILABLE, name


def test_connect_refuses_contradictory_transport_arguments() -> None:
    with pytest.raises(ValueError, match="certificate_chain and private_key"):
        posthorn.connect("127.0.0.1:1", certificate_chain=b"x")
    with pytest.raises(ValueError, match="tls=False"):
        posthorn.connect("127.0.0.1:1", tls=False, root_certificates=b"x")


@pytest.mark.parametrize(
    ("target", "loopback"),
    [("127.0.0.1:50051", True), ("localhost:1", True), ("[::1]:1", True), ("dns:///127.0.0.2:1", True),
     ("0.0.0.0:1", False), ("10.0.0.1:1", False), ("posthorn.internal:50051", False)],
)
def test_loopback_targets(target: str, loopback: bool) -> None:
    from posthorn.client import is_loopback_target

    assert is_loopback_target(target) is loopback
