"""A cold start over SSM reads the runtime's properties in batches (`SecretStore.prefetch`).

The Lambda handler, the real gateway and the simulator, with the SSM store on the shared moto
server: the first request must read the salts, keys and `RULES` with two `GetParameters` calls,
never one `GetParameter` each, and still answer with the reference-sanitized body.
"""

from __future__ import annotations

import random
from collections import Counter

from platforms.aws_rig import REFERENCE_SECRETS, SANITIZED, SPACES_PATH, SimulatedSite, load_event

from proxy.config import Settings
from proxy.config._naming import SecretNaming, ssm_parameter_name
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.platforms.aws_lambda import make_handler
from proxy.platforms.composition import RUNTIME_PROPERTIES, build_gateway
from proxy.sanitize import loads_values, pretty
from support.moto_server import MotoServer


def test_first_request_reads_the_runtime_properties_in_two_calls(
    site: SimulatedSite, moto: MotoServer
) -> None:
    settings = Settings.from_env(
        {**site.environment, "SECRETS_STORE": "AWS_SSM_PARAMETER_STORE", "AWS_REGION": "us-east-1"}
    )
    client = moto.ssm()
    calls: Counter[str] = Counter()
    single_reads: list[str] = []

    client.meta.events.register("before-call.ssm.*", lambda model, **_: calls.update([model.name]))
    client.meta.events.register(
        "before-parameter-build.ssm.GetParameter",
        lambda params, **_: single_reads.append(params["Name"]),
    )
    store = SsmParameterStore(
        settings.naming, client, sleep=lambda seconds: None, rng=random.Random(3)
    )
    shared = SsmParameterStore(SecretNaming(instance_prefix=""), moto.ssm())
    for name, value in REFERENCE_SECRETS.items():
        shared.put(name, value)
    for name in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"):
        store.put(name, getattr(site.credentials, name.lower()))
    calls.clear()

    handler = make_handler(lambda: build_gateway(settings, store=store))
    event = load_event(
        "lambda-function-url-v2.json", rawPath=SPACES_PATH, rawQueryString="limit=100"
    )
    result = handler(event, None)

    assert result["statusCode"] == 200, result
    printed = "\n".join(pretty(v) for v in loads_values(result["body"].encode())) + "\n"
    assert printed == (SANITIZED / "spaces.json").read_text("utf-8")
    assert calls["GetParameters"] == 2  # 7 properties x 2 namespaces, ten names a call
    prefetched = {
        ssm_parameter_name(key)
        for name in (*RUNTIME_PROPERTIES, "RULES")
        for key in settings.naming.lookup_keys(name)
    }
    assert len(prefetched) == 14
    assert prefetched.isdisjoint(single_reads)  # the token refresh reads its own, fresh
