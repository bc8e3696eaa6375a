"""Where `proxy setup` writes: the proxy's own stores, checked before the consent."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from proxy.config import SecretNaming
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.errors import OperatorToolError
from proxy.secret_value import Secret
from proxy.tooling.secret_targets import (
    StoreTarget,
    check_store_reachable,
    open_store,
    write_oauth_values,
)


def test_local_store_writes_full_names_and_keeps_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "secrets.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"PSOXY_SALT": "salt"}))
    store = open_store(StoreTarget("local", "PSOXY_X_", secrets_file=path))
    check_store_reachable(store)
    written = write_oauth_values(store, {"CLIENT_ID": Secret("id"), "REFRESH_TOKEN": Secret("rt")})
    assert written == ["PSOXY_X_CLIENT_ID", "PSOXY_X_REFRESH_TOKEN"]
    assert json.loads(path.read_text()) == {
        "PSOXY_SALT": "salt",
        "PSOXY_X_CLIENT_ID": "id",
        "PSOXY_X_REFRESH_TOKEN": "rt",
    }


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            StoreTarget("vault", "P_"),
            "unknown store 'vault' (one of ssm, secrets-manager, gcp, local)",
        ),
        (StoreTarget("local", ""), "--prefix must not be empty (e.g. PSOXY_CONFLUENCE_CLOUD_)"),
    ],
)
def test_bad_targets(target: StoreTarget, message: str) -> None:
    with pytest.raises(OperatorToolError) as raised:
        open_store(target)
    assert raised.value.message == message


def test_an_unreachable_store_fails_before_the_consent() -> None:
    unreachable = boto3.client(
        "ssm",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    store = SsmParameterStore(
        SecretNaming(instance_prefix="P_"), unreachable, sleep=lambda seconds: None
    )
    with pytest.raises(OperatorToolError) as raised:
        check_store_reachable(store)
    assert raised.value.message.startswith(
        "cannot read AWS SSM Parameter Store before the consent:"
    )
    assert raised.value.message.endswith("(check the cloud credentials, --region / --project)")
