"""The LOCAL_FILE store on a real disk, shared by real processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from proxy.config import SecretNaming
from proxy.config.locks import FileLock
from proxy.config.stores import LocalFileStore
from proxy.errors import ConfigStoreUnavailable, ConfigurationError, MissingSecretError
from proxy.secret_value import Secret
from support.fake_clock import FakeClock

NAMING = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_")


@pytest.fixture
def secrets_file(tmp_path: Path) -> Path:
    path = tmp_path / "secrets.json"
    path.write_text(
        json.dumps(
            {
                "PSOXY_SALT": "salt",
                "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN": "rt-1",
                "PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET": "fill me",
            }
        )
    )
    return path


def make_store(path: Path, clock: FakeClock) -> LocalFileStore:
    return LocalFileStore(path, NAMING, clock=clock.now, sleep=clock.sleep)


def test_reads_full_names(secrets_file: Path, clock: FakeClock) -> None:
    store = make_store(secrets_file, clock)

    assert store.get("PSOXY_SALT") == Secret("salt")
    assert store.get("REFRESH_TOKEN") == Secret("rt-1")


def test_fill_me_is_unset_and_named_when_required(secrets_file: Path, clock: FakeClock) -> None:
    store = make_store(secrets_file, clock)

    with pytest.raises(MissingSecretError) as error:
        store.require("CLIENT_SECRET")

    assert error.value.message == (
        "CLIENT_SECRET is not set: no value for PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET or "
        f"CLIENT_SECRET in local secrets file {secrets_file}"
    )


def test_missing_file_reads_as_empty_and_is_created_on_write(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "new.json"
    store = make_store(path, clock)

    assert store.get("REFRESH_TOKEN") is None
    store.put("REFRESH_TOKEN", "rt-2")

    assert json.loads(path.read_text()) == {"PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN": "rt-2"}
    assert path.stat().st_mode & 0o777 == 0o600


def test_write_keeps_other_keys_and_replaces_the_file(secrets_file: Path, clock: FakeClock) -> None:
    store = make_store(secrets_file, clock)
    inode_before = secrets_file.stat().st_ino

    store.put("REFRESH_TOKEN", "rt-2")

    assert json.loads(secrets_file.read_text()) == {
        "PSOXY_SALT": "salt",
        "PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET": "fill me",
        "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN": "rt-2",
    }
    assert secrets_file.stat().st_ino != inode_before  # renamed into place, not rewritten
    assert sorted(p.name for p in secrets_file.parent.iterdir()) == [
        "secrets.json",
        "secrets.json.lock",
    ]


def test_versions_hold_the_current_value(secrets_file: Path, clock: FakeClock) -> None:
    store = make_store(secrets_file, clock)

    assert [(v.version, v.value) for v in store.versions("REFRESH_TOKEN")] == [
        ("1", Secret("rt-1"))
    ]
    assert store.versions("ACCESS_TOKEN") == []


def test_malformed_json_names_the_file(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"PSOXY_SALT": ')

    with pytest.raises(ConfigurationError) as error:
        make_store(path, clock).get("PSOXY_SALT")

    assert error.value.message == f"{path} is not valid JSON (line 1, column 16)"


def test_non_string_values_are_refused(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"PSOXY_SALT": 1}')

    with pytest.raises(ConfigurationError, match="must hold one JSON object of string values"):
        make_store(path, clock).get("PSOXY_SALT")


def test_unwritable_directory_is_a_store_error(tmp_path: Path, clock: FakeClock) -> None:
    store = make_store(tmp_path / "missing-dir" / "secrets.json", clock)

    with pytest.raises(ConfigStoreUnavailable, match="cannot write PSOXY_CONFLUENCE_CLOUD_X"):
        store.put("X", "y")


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from proxy.config._naming import SecretNaming
    from proxy.config.stores._local_file import LocalFileStore

    store = LocalFileStore(Path(sys.argv[1]), SecretNaming(instance_prefix="P_"))
    for i in range(25):
        store.put(f"W{sys.argv[2]}_{i}", f"value-{i}")
    """
)


def test_concurrent_processes_never_lose_each_others_writes(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)]) for n in range(4)
    ]
    assert [w.wait(timeout=60) for w in writers] == [0, 0, 0, 0]

    content = json.loads(path.read_text())

    assert content == {f"P_W{n}_{i}": f"value-{i}" for n in range(4) for i in range(25)}


def test_file_lock_excludes_other_holders_until_released(tmp_path: Path, clock: FakeClock) -> None:
    first, second = (FileLock(tmp_path / "x.lock", clock=clock.now) for _ in range(2))

    lease = first.try_acquire()
    assert lease is not None
    assert second.try_acquire() is None
    seen_from_thread: list[object] = []
    thread = threading.Thread(target=lambda: seen_from_thread.append(second.try_acquire()))
    thread.start()
    thread.join()
    assert seen_from_thread == [None]

    # True: released, nothing to retry. A False would make the auth release this lease again
    # at its next request: unlock and close a descriptor that may belong to another file by then.
    assert first.release(lease) is True
    again = second.try_acquire()
    assert again is not None
    assert second.release(again) is True


HOLDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from proxy.config.locks._local_file import FileLock

    lease = FileLock(Path(sys.argv[1]), clock=time.time).try_acquire()
    assert lease is not None
    print("held", flush=True)
    sys.stdin.readline()
    os._exit(1)  # crash without releasing
    """
)


def test_a_crashed_holder_leaves_the_lock_free(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "refresh.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "held\n"
    lock = FileLock(path, clock=clock.now)
    assert lock.try_acquire() is None

    holder.stdin.write("crash\n")
    holder.stdin.flush()
    assert holder.wait(timeout=30) == 1

    lease = lock.try_acquire()
    assert lease is not None
    lock.release(lease)


def test_store_lock_file_sits_next_to_the_secrets(secrets_file: Path, clock: FakeClock) -> None:
    lock = make_store(secrets_file, clock).lock("OAUTH_REFRESH_TOKEN")

    assert lock.name == f"{secrets_file}.PSOXY_CONFLUENCE_CLOUD_OAUTH_REFRESH_TOKEN.lock"


def test_a_lock_file_that_cannot_be_opened_is_a_store_error(
    tmp_path: Path, clock: FakeClock
) -> None:
    lock = FileLock(tmp_path / "missing-dir" / "x.lock", clock=clock.now)

    with pytest.raises(ConfigStoreUnavailable, match="cannot open lock file"):
        lock.try_acquire()
