"""What the two AWS stores share: the reference's write hold and the refresh lock in SSM.

Both SSM and Secrets Manager deployments keep the lock as the SSM parameter
``<prefix><NAME>_lock`` (the reference's layout), and both hold 2 s after a write, because AWS
reads may briefly lag it.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from proxy.config._naming import SecretNaming, ssm_parameter_name
from proxy.config.locks import DistributedLock
from proxy.config.locks._aws_ssm import SsmParameterLock
from proxy.config.stores._base import CachePolicy, SecretStore
from proxy.timing import Clock, Sleep

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

__all__ = ["AwsStore"]


class AwsStore(SecretStore):
    """A `SecretStore` on AWS: subclasses add their reads, writes and versions."""

    write_propagation_seconds = 2.0  # the reference's hold: AWS reads may briefly lag a write

    def __init__(
        self,
        naming: SecretNaming,
        *,
        ssm_client: SSMClient,
        clock: Clock,
        sleep: Sleep,
        cache: CachePolicy | None,
        rng: random.Random | None,
    ) -> None:
        super().__init__(naming, clock=clock, sleep=sleep, cache=cache)
        self._ssm = ssm_client
        self._rng = rng

    def _lock(self, key: str, ttl_seconds: float) -> DistributedLock:
        return SsmParameterLock(
            self._ssm,
            ssm_parameter_name(key + "_lock"),
            ttl_seconds=ttl_seconds,
            clock=self._clock,
            sleep=self._sleep,
            rng=self._rng,
        )
