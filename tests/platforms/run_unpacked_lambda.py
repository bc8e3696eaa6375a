"""Run by the zip test as `python -I -S run_unpacked_lambda.py <unpacked dir> <event.json>`.

`-S` keeps the virtualenv's site-packages off `sys.path`, so every import below must be served
by the unpacked Lambda zip. Prints one JSON object: the handler's result and where modules came
from.
"""

import importlib.util
import json
import sys

unpacked, event_file = sys.argv[1], sys.argv[2]
sys.path.insert(0, unpacked)

from proxy.platforms import aws_lambda  # noqa: E402  (after the path is set)

with open(event_file, encoding="utf-8") as stream:
    event = json.load(stream)
result = aws_lambda.handler(event, None)

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
        }
    )
)
