"""One proxy instance in its own process: builds settings, store and auth exactly as a platform
adapter would, waits for a start signal, asks for credentials once and prints what it got.

    python -m support.refresh_worker SECRETS_FILE TOKEN_URL READY_FILE GO_FILE [--crash]

With ``--crash`` the process dies (``os._exit``) right after the token endpoint answered,
i.e. holding the refresh lock and before persisting the rotated refresh token.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import httpx

from proxy.auth import RefreshTiming, build_source_auth
from proxy.config import Settings, build_secret_store
from support.auth_rig import compressed_sleep

CRASH_EXIT_CODE = 3
_PATIENT = RefreshTiming(lock_attempts=20)


def _crash_after_token_exchange(response: httpx.Response) -> None:
    if response.request.url.path == "/oauth/token":
        os._exit(CRASH_EXIT_CODE)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    for name in ("secrets_file", "token_url", "ready_file", "go_file"):
        parser.add_argument(name)
    parser.add_argument("--crash", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings.from_env(
        {
            "LOCAL_SECRETS_FILE": args.secrets_file,
            "SOURCE_AUTH_STRATEGY_IDENTIFIER": "oauth2_refresh_token",
            "GRANT_TYPE": "refresh_token",
            "REFRESH_ENDPOINT": args.token_url,
            "USE_SHARED_TOKEN": "TRUE",
        }
    )
    store = build_secret_store(settings, sleep=compressed_sleep)
    hooks = {"response": [_crash_after_token_exchange]} if args.crash else {}
    with httpx.Client(event_hooks=hooks) as http:
        auth = build_source_auth(settings, store, http, sleep=compressed_sleep, timing=_PATIENT)
        Path(args.ready_file).touch()
        deadline = time.monotonic() + 60
        while not Path(args.go_file).exists():
            if time.monotonic() > deadline:
                return 2
            time.sleep(0.005)
        creds = auth.credentials()
    print(json.dumps({"Authorization": creds.headers["Authorization"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
