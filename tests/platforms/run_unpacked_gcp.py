"""Run by the zip test as `python run_unpacked_gcp.py <unpacked dir> <path?query>`.

Serves the unpacked source zip's `main.py` through functions-framework (from the virtualenv, as
Cloud Build would install it from requirements.txt), with `proxy` imported from the zip.
"""

import json
import sys

unpacked, target = sys.argv[1], sys.argv[2]
sys.path.insert(0, unpacked)

import functions_framework  # noqa: E402

app = functions_framework.create_app(target="route", source=f"{unpacked}/main.py")
response = app.test_client().get(target, headers={"Accept-Encoding": "identity"})

import proxy  # noqa: E402

print(
    json.dumps(
        {
            "status": response.status_code,
            "body": response.get_data(as_text=True),
            "proxy_file": proxy.__file__,
        }
    )
)
