"""SigV4 signing, host detection and assume-role for `proxy call`.

`support.sigv4_reference` is SigV4 written from the AWS specification; it is first held to two
vectors of the AWS-published SigV4 test suite, then used to check what our signer produces.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import boto3
import pytest
from botocore.credentials import Credentials

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
from support.sigv4_reference import AUTH, reference_signature

SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ROLE = "arn:aws:iam::123456789012:role/psoxy-caller"


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
