"""SigV4 and ID tokens for `proxy call`, checked against an independent implementation.

`reference_signature` is SigV4 written from the AWS specification with hashlib/hmac; it is first
held to two vectors of the AWS-published SigV4 test suite, then used to check what our signer
produces and, through a verifying HTTP server, what `proxy call` actually puts on the wire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from urllib.parse import parse_qs, quote, unquote

import boto3
import pytest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from proxy.cli.main import main
from proxy.errors import OperatorToolError
from proxy.tooling.signing import (
    AwsSigner,
    AwsTarget,
    aws_credentials,
    aws_target,
    canonical_query,
    is_gcp_host,
)
from support.moto_server import MotoServer

SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ROLE = "arn:aws:iam::123456789012:role/psoxy-caller"
AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<scope>[^,]+), "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})"
)


def reference_signature(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: dict[str, str],
    signed_headers: list[str],
    secret: str,
    amz_date: str,
    region: str,
    service: str,
) -> str:
    """SigV4 from the specification (non-S3: the path is URI-encoded once more)."""
    canonical_uri = quote(raw_path, safe="/~")
    pairs = sorted(pair.partition("=")[::2] for pair in raw_query.split("&") if pair)
    canonical_query_string = "&".join(f"{k}={v}" for k, v in pairs)
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)
    canonical_request = "\n".join(
        [
            method,
            canonical_uri,
            canonical_query_string,
            canonical_headers,
            ";".join(signed_headers),
            hashlib.sha256(b"").hexdigest(),
        ]
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{secret}".encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("raw_query", "expected"),
    [
        ("", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),  # get-vanilla
        (  # get-vanilla-query-order-key-case
            "Param2=value2&Param1=value1",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
    ],
)
def test_the_reference_implementation_matches_the_aws_test_suite(
    raw_query: str, expected: str
) -> None:
    signature = reference_signature(
        method="GET",
        raw_path="/",
        raw_query=raw_query,
        headers={"host": "example.amazonaws.com", "x-amz-date": "20150830T123600Z"},
        signed_headers=["host", "x-amz-date"],
        secret=SUITE_SECRET,
        amz_date="20150830T123600Z",
        region="us-east-1",
        service="service",
    )
    assert signature == expected


@pytest.mark.parametrize("service", ["lambda", "execute-api"])
def test_our_signer_agrees_with_the_reference(service: str) -> None:
    host = "abcdefghij.lambda-url.eu-west-1.on.aws"
    path = "/ex/confluence/site/wiki/api/v2/pages/p~AbC%2Fx/versions"
    query = canonical_query("cursor=a%2Fb+c&limit=10")
    signer = AwsSigner(Credentials("AKIDTEST", "secret-key", "session-token"), service, "eu-west-1")
    headers = signer.sign("GET", f"https://{host}{path}?{query}", {"X-Psoxy-Health-Check": "true"})
    assert headers["X-Psoxy-Health-Check"] == "true"
    assert headers["X-Amz-Security-Token"] == "session-token"
    match = AUTH.fullmatch(headers["Authorization"])
    assert match is not None
    amz_date = headers["X-Amz-Date"]
    assert match["scope"] == f"{amz_date[:8]}/eu-west-1/{service}/aws4_request"
    assert match["signed"] == "host;x-amz-date;x-amz-security-token;x-psoxy-health-check"
    lowered = {"host": host, **{k.lower(): v for k, v in headers.items()}}
    assert match["signature"] == reference_signature(
        method="GET",
        raw_path=path,
        raw_query=query,
        headers=lowered,
        signed_headers=match["signed"].split(";"),
        secret="secret-key",
        amz_date=amz_date,
        region="eu-west-1",
        service=service,
    )


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        (
            "cql=lastmodified%3E%3D2025-08-01+AND+space%3D%22~60%22&limit=10",
            "cql=lastmodified%3E%3D2025-08-01%20AND%20space%3D%22~60%22&limit=10",
        ),
        ("a=%7e&b=%2f&c=x y", "a=~&b=%2F&c=x%20y"),
        ("flag", "flag="),
        ("", ""),
    ],
)
def test_canonical_query(query: str, canonical: str) -> None:
    assert canonical_query(query) == canonical


@pytest.mark.parametrize(
    ("host", "target"),
    [
        ("abc123.lambda-url.us-east-1.on.aws", AwsTarget("lambda", "us-east-1")),
        ("ABC123.Lambda-Url.eu-central-1.on.aws", AwsTarget("lambda", "eu-central-1")),
        ("x1y2.execute-api.ap-south-1.amazonaws.com", AwsTarget("execute-api", "ap-south-1")),
        ("lambda-url.us-east-1.on.aws.example.com", None),
        ("127.0.0.1", None),
    ],
)
def test_aws_target_from_the_host(host: str, target: AwsTarget | None) -> None:
    assert aws_target(host) == target


def test_gcp_hosts() -> None:
    assert is_gcp_host("psoxy-confluence-abc-uc.a.run.app")
    assert is_gcp_host("us-central1-project.cloudfunctions.net")
    assert not is_gcp_host("run.app.example.com")


def test_assume_role_through_sts(moto: MotoServer) -> None:
    credentials = aws_credentials(ROLE, "us-east-1", sts_client=moto.client("sts"))
    frozen = credentials.get_frozen_credentials()
    assert frozen.access_key.startswith("ASIA")
    assert frozen.token


def test_assume_role_refused_by_sts_says_what_to_do() -> None:
    """STS answering AccessDenied, as AWS does when the caller may not assume the role."""
    error = (
        b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        b"<Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message>"
        b"</Error><RequestId>r1</RequestId></ErrorResponse>"
    )

    class Sts(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(403)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(error)))
            self.end_headers()
            self.wfile.write(error)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sts)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        sts = boto3.client(
            "sts",
            endpoint_url=f"http://127.0.0.1:{server.server_address[1]}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        with pytest.raises(OperatorToolError) as raised:
            aws_credentials(ROLE, "us-east-1", sts_client=sts)
    finally:
        server.shutdown()
        server.server_close()
    assert raised.value.message == (
        f"cannot assume {ROLE} (AccessDenied): your AWS identity must be allowed to assume it "
        "(in Terraform: add your ARN to the caller ARNs and apply)"
    )


# ---------------------------------------------------------------------------------------------
# `proxy call` on the wire: a server that verifies what it receives.


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


def test_proxy_call_sends_exactly_what_it_signed(
    wire: WireServer, aws_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "call",
        "--url",
        f"http://127.0.0.1:{wire.port}",
        "--auth",
        "aws",
        "--aws-region",
        "us-east-1",
        "--aws-service",
        "lambda",
        "--health-check",
        PATH,
    ]
    assert main(argv) == 0, capsys.readouterr()
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
    argv = [
        "call",
        "--url",
        f"http://127.0.0.1:{wire.port}",
        "--auth",
        "aws",
        "--aws-region",
        "us-east-1",
        "--aws-service",
        "lambda",
        "/x",
    ]
    assert main(argv) == 1
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
