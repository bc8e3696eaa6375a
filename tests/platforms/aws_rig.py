"""Shared by the Lambda tests: sample events, a recording gateway, the simulator site's values."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proxy.http import Headers, HttpRequest, HttpResponse
from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.demo import SimulatorCredentials

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "fixtures" / "aws-events"
SANITIZED = ROOT / "example-api-responses" / "sanitized"
CLOUD_ID = "adcae078-765b-45bf-a38b-7cda232b9a94"
SPACES_PATH = f"/ex/confluence/{CLOUD_ID}/wiki/api/v2/spaces"
SEARCH_PATH = f"/ex/confluence/{CLOUD_ID}/wiki/rest/api/content/search"
# The reference's test salt and key: responses then equal the committed sanitized examples.
REFERENCE_SECRETS = {"PSOXY_SALT": "salt", "PSOXY_ENCRYPTION_KEY": "secret"}

EventFactory = Callable[..., dict[str, Any]]


def load_event(name: str, **overrides: Any) -> dict[str, Any]:
    """A fresh copy of a sample event, with top-level fields replaced."""
    event: dict[str, Any] = copy.deepcopy(json.loads((EVENTS / name).read_text("utf-8")))
    event.update(overrides)
    return event


@dataclass
class RecordingGateway:
    """Stands in for `Gateway`: records what reached it, answers with a fixed response."""

    response: HttpResponse = field(
        default_factory=lambda: HttpResponse(
            200, Headers([("Content-Type", "application/json")]), b'{"ok":true}'
        )
    )
    requests: list[HttpRequest] = field(default_factory=list)

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return self.response


@dataclass(frozen=True)
class SimulatedSite:
    simulator: AtlassianSimulator
    credentials: SimulatorCredentials
    environment: dict[str, str]
