"""`proxy call` on the wire: what a verifying server receives is exactly what was signed.

The server recomputes SigV4 (`support.sigv4_reference`) from the raw request line and headers it
got, as AWS does; bearer tokens (GCP ID tokens) are recorded and accepted.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from urllib.parse import parse_qs, unquote

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from proxy.cli.main import main
from support.sigv4_reference import AUTH, reference_signature


@dataclass
class Received:
    request_line: str
    headers: dict[str, str]


@dataclass
class WireServer:
    """Answers 200 to requests whose SigV4 (or bearer) checks out, 403 otherwise."""

    secret: str = "wire-secret"
    region: str = "us-east-1"
    service: str = "lambda"
    received: list[Received] = field(default_factory=list)
    port: int = 0

    def verdict(self, method: str, target: str, headers: dict[str, str]) -> int:
        authorization = headers.get("authorization", "")
        if authorization.startswith("Bearer "):
            return 200
        match = AUTH.fullmatch(authorization)
        if match is None:
            return 403
        path, _, query = target.partition("?")
        expected = reference_signature(
            method=method,
            raw_path=path,
            raw_query=query,
            headers=headers,
            signed_headers=match["signed"].split(";"),
            secret=self.secret,
            amz_date=headers["x-amz-date"],
            region=self.region,
            service=self.service,
        )
        return 200 if hmac.compare_digest(expected, match["signature"]) else 403


@pytest.fixture
def wire() -> Iterator[WireServer]:
    state = WireServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.received.append(Received(self.requestline, headers))
            status = state.verdict("GET", self.path, headers)
            body = json.dumps({"ok": status == 200}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDWIRE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wire-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "wire-token")


PATH = (
    "/ex/confluence/site/wiki/rest/api/content/search"
    "?cql=lastmodified%3E%3D2025-08-01+AND+type%3Dpage&limit=10"
)


def signed_call_argv(wire: WireServer, *what: str) -> list[str]:
    """`proxy call` against the wire server, signed as for a Lambda function URL."""
    url = f"http://127.0.0.1:{wire.port}"
    return [
        "call",
        "--url",
        url,
        "--auth",
        "aws",
        "--aws-region",
        "us-east-1",
        "--aws-service",
        "lambda",
        *what,
    ]


def test_proxy_call_sends_exactly_what_it_signed(
    wire: WireServer, aws_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(signed_call_argv(wire, "--health-check", PATH)) == 0, capsys.readouterr()
    health, call = wire.received
    assert health.request_line == "GET / HTTP/1.1"
    assert health.headers["x-psoxy-health-check"] == "true"
    assert "x-psoxy-health-check" in health.headers["authorization"]
    assert call.request_line == (
        "GET /ex/confluence/site/wiki/rest/api/content/search?"
        "cql=lastmodified%3E%3D2025-08-01%20AND%20type%3Dpage&limit=10 HTTP/1.1"
    )
    assert call.headers["x-amz-security-token"] == "wire-token"
    assert capsys.readouterr().out.splitlines()[-1] == "2 calls, all succeeded"


def test_the_wire_check_can_fail(
    wire: WireServer,
    aws_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "another-secret")
    assert main(signed_call_argv(wire, "/x")) == 1
    out = capsys.readouterr().out
    assert out.startswith("GET /x: 403 in ")
    assert "hint: AWS refused the caller" in out


def test_explicit_id_token_is_sent_as_bearer(
    wire: WireServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["call", "--url", f"http://127.0.0.1:{wire.port}", "--id-token", "given-token", "/x"]
    assert main(argv) == 0
    assert wire.received[0].headers["authorization"] == "Bearer given-token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_gcp_id_token_from_a_service_account_key(
    wire: WireServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """google-auth signs a JWT with the key and trades it at `token_uri` for an ID token."""
    id_token = ".".join(
        [
            _b64(b'{"alg":"RS256","typ":"JWT"}'),
            _b64(json.dumps({"aud": "x", "exp": int(time.time()) + 3600}).encode()),
            _b64(b"signature"),
        ]
    )
    assertions: list[dict[str, object]] = []

    class TokenHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            claims = form["assertion"][0].split(".")[1]
            assertions.append(json.loads(base64.urlsafe_b64decode(claims + "==")))
            body = json.dumps({"id_token": id_token}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    token_server = ThreadingHTTPServer(("127.0.0.1", 0), TokenHandler)
    Thread(target=token_server.serve_forever, daemon=True).start()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    key_file = tmp_path / "key.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "p",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": "caller@p.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"http://127.0.0.1:{token_server.server_address[1]}/token",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    try:
        argv = ["call", "--url", f"http://127.0.0.1:{wire.port}", "--gcp-id-token", "/x"]
        assert main(argv) == 0
    finally:
        token_server.shutdown()
        token_server.server_close()
    assert wire.received[0].headers["authorization"] == f"Bearer {id_token}"
    assert assertions[0]["target_audience"] == f"http://127.0.0.1:{wire.port}"
    assert unquote(str(assertions[0]["iss"])) == "caller@p.iam.gserviceaccount.com"
