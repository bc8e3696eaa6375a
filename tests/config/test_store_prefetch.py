"""`prefetch`: a cold start's properties read from SSM in batches, then served from the cache."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from botocore.awsrequest import AWSResponse

from proxy.config import SecretNaming
from proxy.config.stores import LocalFileStore
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.platforms.composition import RUNTIME_PROPERTIES
from proxy.secret_value import Secret
from support.fake_clock import FakeClock
from support.moto_server import MotoServer

NAMING = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_", shared_prefix="")
STARTUP = (*RUNTIME_PROPERTIES, "RULES")  # what building the runtime reads from SSM


def counted_store(
    moto: MotoServer, clock: FakeClock, client: Any = None
) -> tuple[SsmParameterStore, Counter[str]]:
    """A store over a moto client that counts the SSM operations it sends."""
    client = client or moto.ssm()
    calls: Counter[str] = Counter()
    client.meta.events.register("before-call.ssm.*", lambda model, **_: calls.update([model.name]))
    store = SsmParameterStore(
        NAMING, client, clock=clock.now, sleep=clock.sleep, rng=random.Random(7)
    )
    return store, calls


def seed(moto: MotoServer) -> None:
    ssm = moto.ssm()
    for name, value in (
        ("PSOXY_SALT", "salt"),  # shared only
        ("PSOXY_CONFLUENCE_CLOUD_PSOXY_SALT", "fill me"),  # an instance placeholder: unset
        ("PSOXY_CONFLUENCE_CLOUD_PSOXY_ENCRYPTION_KEY", "key"),  # instance only
        ("SALT_IP", "ip-salt"),
    ):
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


def test_fourteen_keys_in_two_calls_then_no_call_at_all(moto: MotoServer, clock: FakeClock) -> None:
    seed(moto)
    store, calls = counted_store(moto, clock)

    store.prefetch(STARTUP)
    assert calls == Counter({"GetParameters": 2})  # 7 properties x 2 namespaces, 10 a call

    values = {name: store.get(name) for name in STARTUP}
    assert values == {
        "PSOXY_SALT": Secret("salt"),
        "PSOXY_ENCRYPTION_KEY": Secret("key"),
        "SALT_IP": Secret("ip-salt"),
        "ENCRYPTION_KEY_IP": None,
        "SALT_EMAIL_DOMAINS": None,
        "ENCRYPTION_KEY_EMAIL_DOMAINS": None,
        "RULES": None,
    }
    assert calls == Counter({"GetParameters": 2})  # absent keys are cached too


def test_prefetched_values_expire_like_single_reads(moto: MotoServer, clock: FakeClock) -> None:
    seed(moto)
    store, calls = counted_store(moto, clock)
    store.prefetch(["PSOXY_SALT"])
    clock.advance(1201)  # past the shared namespace's 20 minutes
    assert store.get("PSOXY_SALT") == Secret("salt")
    assert calls == Counter({"GetParameters": 1, "GetParameter": 2})


def test_a_denied_batch_leaves_every_key_to_its_single_read(
    moto: MotoServer, clock: FakeClock
) -> None:
    seed(moto)
    client = moto.ssm()

    def denied(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # What SSM answers when the policy misses one of the names (moto does not check IAM).
        error = {"Code": "AccessDeniedException", "Message": "not authorized"}
        return AWSResponse("https://ssm", 400, {}, None), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    client.meta.events.register("before-call.ssm.GetParameters", denied)
    store, calls = counted_store(moto, clock, client)
    store.prefetch(STARTUP)
    assert store.get("PSOXY_SALT") == Secret("salt")
    assert store.get("PSOXY_ENCRYPTION_KEY") == Secret("key")
    assert calls == Counter({"GetParameters": 1, "GetParameter": 3})


def test_a_store_without_batches_reads_nothing_ahead(tmp_path: Any, clock: FakeClock) -> None:
    path = tmp_path / "secrets.json"
    store = LocalFileStore(path, NAMING, clock=clock.now, sleep=clock.sleep)
    store.put("RULES", "rules")
    store.prefetch(STARTUP)
    assert store.get("RULES") == Secret("rules")
