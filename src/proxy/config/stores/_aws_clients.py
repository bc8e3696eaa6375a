"""The botocore settings of every AWS client the proxy serves requests with.

botocore's defaults (60 s connect and read timeouts, legacy retries) let one SSM call outlast an
API Gateway request and most of a Lambda timeout. SSM and Secrets Manager answer in tens of
milliseconds, so short timeouts and botocore's *standard* retry mode (exponential back-off
with jitter, retries on throttling and transient errors, a retry quota) bound one call to about
ten seconds at worst; the stores check the request's deadline between calls.

    boto3.client("ssm", region_name=region, config=client_config())
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.config import Config

__all__ = ["CONNECT_TIMEOUT_SECONDS", "MAX_ATTEMPTS", "READ_TIMEOUT_SECONDS", "client_config"]

CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 3
MAX_ATTEMPTS = 2
"""Total attempts per call (the first and one retry); the stores add their own retries."""


def client_config() -> Config:
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    )
