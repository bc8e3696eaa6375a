"""A proxy served by functions-framework (`proxy serve`'s server) over a misbehaving upstream:
the simulator's token endpoint, and Confluence answering whatever a test stages."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from support.local_proxy import running_proxy, running_simulator
from support.staged_upstream import Site, StagedUpstream


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with (
        running_simulator() as (simulator, credentials),
        running_proxy(credentials, tmp_path_factory.mktemp("spec")) as proxy,
        httpx.Client(base_url=proxy.base_url, timeout=60) as client,
    ):
        upstream = StagedUpstream(simulator.routes)
        try:
            yield Site(client, upstream, credentials.cloud_id)
        finally:
            upstream.remove()
