"""A real moto server over HTTP (SSM, Secrets Manager), shared by every test of the session.

Tests talk to it with ordinary boto3 clients (``endpoint_url``), so the stores are exercised
over the wire exactly as against AWS. One server per test process; `reset` between tests.

    server = shared_moto_server()
    ssm = server.client("ssm")
"""

from __future__ import annotations

import atexit
import functools
import logging
from typing import TYPE_CHECKING, Any

import httpx
from moto.server import ThreadedMotoServer

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager.client import SecretsManagerClient
    from mypy_boto3_ssm.client import SSMClient

__all__ = ["MotoServer", "shared_moto_server"]

REGION = "us-east-1"


class MotoServer:
    """One ThreadedMotoServer bound to 127.0.0.1 on a free port."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def ssm(self) -> SSMClient:
        client: SSMClient = self.client("ssm")
        return client

    def secrets_manager(self) -> SecretsManagerClient:
        client: SecretsManagerClient = self.client("secretsmanager")
        return client

    def reset(self) -> None:
        """Forget every parameter and secret."""
        httpx.post(f"{self.endpoint_url}/moto-api/reset").raise_for_status()

    def stop(self) -> None:
        self._server.stop()


@functools.cache
def shared_moto_server() -> MotoServer:
    """The process-wide server, started on first use and stopped at exit."""
    server = MotoServer()
    atexit.register(server.stop)
    return server
