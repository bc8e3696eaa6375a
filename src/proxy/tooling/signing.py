"""How `proxy call` authenticates to a deployed proxy, as the analytics service does.

- **AWS**: Signature V4 by botocore, service ``lambda`` for function URLs
  (``*.lambda-url.<region>.on.aws``) and ``execute-api`` for API Gateway
  (``*.execute-api.<region>.amazonaws.com``); credentials from the default chain, or from
  ``sts:AssumeRole`` on the caller role.
- **GCP**: an ID token whose audience is the function's URL, from google-auth's
  ``fetch_id_token`` (a service account key in ``GOOGLE_APPLICATION_CREDENTIALS``, or the
  metadata server on GCP), or one the operator passes (``gcloud auth print-identity-token``).
- **none**: plain HTTP, for ``proxy serve`` on localhost.

botocore and google-auth are imported inside the functions that use them, so `proxy call`
against localhost needs neither.

    signer = AwsSigner(aws_credentials(role_arn=None, region="us-east-1"), "lambda", "us-east-1")
    headers = signer.sign("GET", "https://abc.lambda-url.us-east-1.on.aws/ex/x?limit=1", {})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, unquote_plus

from proxy.errors import OperatorToolError
from proxy.secret_value import Secret

if TYPE_CHECKING:
    from mypy_boto3_sts.client import STSClient

__all__ = [
    "AwsSigner",
    "AwsTarget",
    "aws_credentials",
    "aws_target",
    "canonical_query",
    "gcp_id_token",
    "is_gcp_host",
]

_LAMBDA_URL = re.compile(r"[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws")
_API_GATEWAY = re.compile(r"[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com")
_GCP_HOST = re.compile(r".+\.(run\.app|cloudfunctions\.net)")
_AWS_EXTRA = "pip install 'confluence-psoxy[aws]' (botocore)"


@dataclass(frozen=True)
class AwsTarget:
    service: str
    region: str


def aws_target(host: str) -> AwsTarget | None:
    """The SigV4 service and region a proxy host implies (None: not an AWS proxy URL)."""
    host = host.lower()
    if match := _LAMBDA_URL.fullmatch(host):
        return AwsTarget("lambda", match.group(1))
    if match := _API_GATEWAY.fullmatch(host):
        return AwsTarget("execute-api", match.group(1))
    return None


def is_gcp_host(host: str) -> bool:
    return bool(_GCP_HOST.fullmatch(host.lower()))


def canonical_query(query: str) -> str:
    """The query re-encoded the way SigV4 canonicalizes it (RFC 3986, `+` read as a space).

    AWS recomputes the signature from the query it receives; botocore signs the query string as
    given. Sending the canonical form makes both sides agree whatever escapes the caller used.
    """
    if not query:
        return ""
    pairs = []
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        pairs.append(f"{_rfc3986(key)}={_rfc3986(value)}")
    return "&".join(pairs)


def _rfc3986(text: str) -> str:
    return quote(unquote_plus(text), safe="-_.~")


class AwsSigner:
    """Signs one request with SigV4 (botocore's `SigV4Auth`)."""

    def __init__(self, credentials: Any, service: str, region: str) -> None:
        self._credentials = credentials
        self.service = service
        self.region = region

    def sign(self, method: str, url: str, headers: Mapping[str, str]) -> dict[str, str]:
        """`headers` plus X-Amz-Date, [X-Amz-Security-Token] and Authorization."""
        try:
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
        except ImportError as exc:
            raise OperatorToolError(f"AWS signing needs botocore: {_AWS_EXTRA}") from exc
        request = AWSRequest(method=method, url=url, headers=dict(headers))
        SigV4Auth(self._credentials, self.service, self.region).add_auth(request)
        # Host is signed from the URL; httpx sends the same value, so it is not added here.
        return {name: str(value) for name, value in request.headers.items()}


def aws_credentials(
    role_arn: str | None, region: str, *, sts_client: STSClient | None = None
) -> Any:
    """Credentials of the default chain, or temporary ones for `role_arn` (15 minutes)."""
    try:
        import botocore.session
        from botocore.credentials import Credentials
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError as exc:
        raise OperatorToolError(f"AWS signing needs botocore: {_AWS_EXTRA}") from exc
    if role_arn is None:
        credentials = botocore.session.get_session().get_credentials()
        if credentials is None:
            raise OperatorToolError(
                "no AWS credentials found: set AWS_PROFILE (or log in with `aws sso login`), "
                "or export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
            )
        return credentials
    try:
        sts = sts_client or cast(
            "STSClient", botocore.session.get_session().create_client("sts", region_name=region)
        )
        issued = sts.assume_role(
            RoleArn=role_arn, RoleSessionName="proxy-call", DurationSeconds=900
        )["Credentials"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise OperatorToolError(
            f"cannot assume {role_arn} ({code}): your AWS identity must be allowed to assume "
            "it (in Terraform: add your ARN to the caller ARNs and apply)"
        ) from exc
    except BotoCoreError as exc:
        raise OperatorToolError(f"cannot assume {role_arn} ({type(exc).__name__})") from exc
    return Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])


def gcp_id_token(audience: str) -> Secret:
    """An ID token for `audience` (the function URL) from Application Default Credentials."""
    try:
        import google.auth.exceptions
        import google.auth.transport.requests
        import google.oauth2.id_token
    except ImportError as exc:
        raise OperatorToolError(
            "GCP ID tokens need google-auth and requests: pip install 'confluence-psoxy[gcp]'"
        ) from exc
    try:
        token = google.oauth2.id_token.fetch_id_token(  # type: ignore[no-untyped-call]
            google.auth.transport.requests.Request(), audience
        )
    except google.auth.exceptions.GoogleAuthError as exc:
        raise OperatorToolError(
            f"cannot get a GCP ID token for {audience} ({type(exc).__name__}): point "
            "GOOGLE_APPLICATION_CREDENTIALS at a service account key, or run on GCP; user "
            "credentials of `gcloud auth application-default login` cannot mint ID tokens "
            '(then pass one with --id-token "$(gcloud auth print-identity-token)")'
        ) from exc
    return Secret(str(token))
