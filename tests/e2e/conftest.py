"""The site most end-to-end tests use: the simulator and one proxy process, per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.local_proxy import Site, running_proxy, running_simulator


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with (
        running_simulator() as (simulator, credentials),
        running_proxy(credentials, tmp_path_factory.mktemp("site")) as proxy,
    ):
        yield simulator, credentials, proxy
