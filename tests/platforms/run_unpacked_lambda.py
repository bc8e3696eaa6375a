"""Run by the zip test as `python -I -S -B run_unpacked_lambda.py <unpacked dir> <event.json>`.

`-S` keeps the virtualenv's site-packages off `sys.path`, so every import below must be served
by the unpacked Lambda zip; `-B` forbids writing bytecode, as Lambda's read-only `/var/task`
does. Every module the importer compiles from source is recorded (it calls
`SourceLoader.source_to_code` only when it has no valid `.pyc`). Prints one JSON object: the
handler's result, where modules came from and what was compiled, and whether the import and
first request loaded PyYAML or defined a dataclass of the proxy (both slow a cold start).
"""

import importlib._bootstrap_external as bootstrap_external
import importlib.util
import json
import sys

compiled = []
_source_to_code = bootstrap_external.SourceLoader.source_to_code


def _recording_source_to_code(self, data, path, *args, **kwargs):
    compiled.append(str(path))
    return _source_to_code(self, data, path, *args, **kwargs)


bootstrap_external.SourceLoader.source_to_code = _recording_source_to_code

unpacked, event_file = sys.argv[1], sys.argv[2]
sys.path.insert(0, unpacked)

from proxy.platforms import aws_lambda  # noqa: E402  (after the path is set)

with open(event_file, encoding="utf-8") as stream:
    event = json.load(stream)
result = aws_lambda.handler(event, None)
# What the import and first request loaded, before this script imports more (issue #14).
yaml_loaded = "yaml" in sys.modules
proxy_dataclasses = sorted(
    f"{name}.{member}"
    for name, module in list(sys.modules.items())
    if name.startswith("proxy")
    for member, value in vars(module).items()
    if isinstance(value, type)
    and value.__module__ == name
    and "__dataclass_fields__" in vars(value)
)

import cryptography  # noqa: E402
import httpx  # noqa: E402
import orjson  # noqa: E402
import yaml  # noqa: E402

import proxy  # noqa: E402

modules = (proxy, httpx, yaml, orjson, cryptography)
print(
    json.dumps(
        {
            "result": result,
            "module_files": {m.__name__: m.__file__ for m in modules},
            "libyaml": yaml.__with_libyaml__,
            "boto3_importable": importlib.util.find_spec("boto3") is not None,
            "boto3_loaded": "boto3" in sys.modules,
            "flask_loaded": "flask" in sys.modules,
            "compiled": compiled,
            "dont_write_bytecode": sys.dont_write_bytecode,
            "yaml_loaded": yaml_loaded,
            "proxy_dataclasses": proxy_dataclasses,
        }
    )
)
