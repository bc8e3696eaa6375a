"""Benchmark: compiled JSONPath over a ~1.2 MB Confluence-like response (prints figures).

The payload is `content_search.json` with its `results` repeated to about 1.2 MB. The 30 paths
are the shapes the Confluence rules use: `$.results[*].x`, `$.results[*]..x`, `$._links.x`,
each applied once with `map` and once with `delete` on a fresh document, as the sanitizer
applies a transform list. Figures are compared with `orjson.loads` + `orjson.dumps` of the same
payload (measured in the same run) and with jsonpath-ng on the same workload.

    .venv/bin/python bench/bench_jsonpath.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from jsonpath_ng.ext import parse as jsonpath_ng_parse

from proxy.sanitize.jsonpath import compile_path

FIXTURE = (
    Path(__file__).resolve().parent.parent / "example-api-responses/original/content_search.json"
)
TARGET_BYTES = 1_200_000

PATHS: dict[str, list[str]] = {
    "$.results[*].x": [
        "$.results[*].id",
        "$.results[*].type",
        "$.results[*].status",
        "$.results[*].title",
        "$.results[*].ari",
        "$.results[*].base64EncodedAri",
        "$.results[*].space",
        "$.results[*].body.atlas_doc_format.value",
    ],
    "$.results[*]..x": [
        "$.results[*]..accountId",
        "$.results[*]..email",
        "$.results[*]..ari",
        "$.results[*]..displayName",
        "$.results[*]..publicName",
        "$.results[*]..profilePicture",
        "$.results[*]..base64EncodedAri",
        "$.results[*]..macroRenderedOutput",
        "$.results[*].._expandable",
        "$.results[*].._links",
        "$.results[*]..webui",
        "$.results[*]..self",
        "$.results[*]..download",
        "$.results[*]..title",
        "$.results[*]..message",
        "$.results[*]..when",
    ],
    "$._links.x": [
        "$._links.base",
        "$._links.context",
        "$._links.prev",
        "$._links.self",
        "$._links.next",
        "$._links.missing",
    ],
}


def build_payload() -> bytes:
    original = orjson.loads(FIXTURE.read_bytes())
    results = original["results"]
    document = dict(original)
    copies = 1
    while len(orjson.dumps(document)) < TARGET_BYTES:
        copies += 1
        document["results"] = results * copies
    return orjson.dumps(document)


def count_nodes(document: Any) -> tuple[int, int]:
    containers = values = 0
    stack = [document]
    while stack:
        node = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, (dict, list)):
            containers += 1
            values += len(node)
            stack.extend(children)
    return containers, values


def best_ms(run: Callable[[Any], Any], payload: bytes, repeat: int) -> float:
    """Best-of-N CPU milliseconds of `run(document)`, each on a freshly parsed document.

    CPU time of this process (not wall time) keeps the figures stable on a shared machine."""
    timings = []
    for _ in range(repeat):
        document = orjson.loads(payload)
        start = time.process_time()
        run(document)
        timings.append((time.process_time() - start) * 1000)
    return min(timings)


def codec_ms(payload: bytes, repeat: int) -> float:
    """Best-of-N CPU milliseconds of `orjson.loads` + `orjson.dumps` of the payload."""
    timings = []
    for _ in range(repeat):
        start = time.process_time()
        orjson.dumps(orjson.loads(payload))
        timings.append((time.process_time() - start) * 1000)
    return min(timings)


def ours(texts: list[str], operation: str) -> Callable[[Any], Any]:
    paths = [compile_path(text) for text in texts]

    def run(document: Any) -> Any:
        for path in paths:
            if operation == "map":
                document = path.map(document, _replace)
            elif operation == "delete":
                document = path.delete(document)
            else:
                path.find(document)
        return document

    return run


def theirs(texts: list[str], operation: str) -> Callable[[Any], Any]:
    paths = [jsonpath_ng_parse(text) for text in texts]

    def run(document: Any) -> Any:
        for path in paths:
            if operation == "map":
                document = path.update(document, lambda value, parent, key: _replace(value))
            elif operation == "delete":
                document = path.filter(lambda value: True, document)
            else:
                path.find(document)
        return document

    return run


def _replace(value: Any) -> Any:
    return "t~replaced" if isinstance(value, str) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat

    payload = build_payload()
    containers, values = count_nodes(orjson.loads(payload))
    all_paths = [text for texts in PATHS.values() for text in texts]
    print(f"payload: {len(payload) / 1e6:.2f} MB, {containers} containers, {values} values")
    print(f"paths: {len(all_paths)} ({', '.join(f'{len(v)} x {k}' for k, v in PATHS.items())})")

    codec = codec_ms(payload, repeat * 3)
    print(f"orjson.loads + orjson.dumps: {codec:.2f} ms (CPU time, best of {repeat * 3})")
    print("(jsonpath-ng runs the same path texts; its `..` semantics differ from Jayway's)\n")

    print(f"{'path kind':<18} {'op':<7} {'ours ms':>9} {'jsonpath-ng ms':>15} {'speed-up':>9}")
    for kind, texts in PATHS.items():
        for operation in ("find", "map", "delete"):
            mine = best_ms(ours(texts, operation), payload, repeat)
            other = best_ms(theirs(texts, operation), payload, max(3, repeat // 5))
            print(f"{kind:<18} {operation:<7} {mine:>9.2f} {other:>15.2f} {other / mine:>8.0f}x")

    print()
    for operation in ("map", "delete"):
        mine = best_ms(ours(all_paths, operation), payload, repeat)
        other = best_ms(theirs(all_paths, operation), payload, max(3, repeat // 5))
        print(
            f"all {len(all_paths)} paths, {operation:<6}: ours {mine:6.2f} ms "
            f"= {mine / codec:.2f} x (loads+dumps); jsonpath-ng {other:8.2f} ms "
            f"({other / mine:.0f}x slower)"
        )


if __name__ == "__main__":
    main()
