"""SSM Parameter Store on loopback for the cold-start bench: a moto server and the demo secrets.

with MotoSsm() as ssm:
    name = ssm.write_demo_secrets(credentials, SecretNaming(instance_prefix=DEMO_PREFIX))
    subprocess.run(..., env={**ssm.environment, ...})   # boto3 in the child finds it
"""

from __future__ import annotations

import logging
import secrets
from types import TracebackType
from typing import Any

from moto.server import ThreadedMotoServer

from proxy.config._naming import SecretNaming, ssm_parameter_name
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.simulator.demo import SimulatorCredentials

REGION = "us-east-1"


class MotoSsm:
    """A ThreadedMotoServer on 127.0.0.1, and the environment that points boto3 at it."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.environment: dict[str, str] = {}
        self._client: Any = None

    def __enter__(self) -> MotoSsm:
        import boto3

        self._server.start()
        host, port = self._server.get_host_and_port()
        self.environment = {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        self._client = boto3.client(
            "ssm",
            endpoint_url=self.environment["AWS_ENDPOINT_URL"],
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106  (moto accepts any)
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.stop()

    def write_demo_secrets(self, credentials: SimulatorCredentials, naming: SecretNaming) -> str:
        """What `write_demo_secrets` stores, in SSM; returns the salt's parameter name."""
        shared = SsmParameterStore(SecretNaming(instance_prefix=""), self._client)
        for name in ("PSOXY_SALT", "PSOXY_ENCRYPTION_KEY"):
            shared.put(name, secrets.token_urlsafe(32))
        instance = SsmParameterStore(naming, self._client)
        instance.put("CLIENT_ID", credentials.client_id)
        instance.put("CLIENT_SECRET", credentials.client_secret)
        instance.put("REFRESH_TOKEN", credentials.refresh_token)
        return ssm_parameter_name("PSOXY_SALT")
