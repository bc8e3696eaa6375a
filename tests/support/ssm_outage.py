"""An SSM client whose `DeleteParameter` fails a chosen number of times (a store outage).

Everything else goes to the real client (the moto server), so the lock is exercised over the
wire except for the injected failures.

    client = DeleteOutage(moto.ssm(), failures=1)
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import EndpointConnectionError

__all__ = ["DeleteOutage"]


class DeleteOutage:
    def __init__(self, client: Any, *, failures: int) -> None:
        self._client = client
        self.failures = failures
        self.deletes = 0

    def delete_parameter(self, **kwargs: Any) -> Any:
        self.deletes += 1
        if self.failures > 0:
            self.failures -= 1
            raise EndpointConnectionError(endpoint_url="https://ssm.us-east-1.amazonaws.com/")
        return self._client.delete_parameter(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)
