"""Pseudonymizing proxy for Confluence Cloud, compatible with Worklytics psoxy.

The packages, from the edge inwards (each `__init__` says what it owns and may import):

- `platforms`: the AWS Lambda and GCP entry points (`aws_lambda.handler`, `gcp_main.route`)
  and the composition root (`composition.build_gateway`);
- `gateway`: the request pipeline, health check and upstream client;
- `auth`: OAuth refresh-token source authentication;
- `sanitize`: what of a response may leave (JSONPath, pseudonyms, links, transforms);
- `rules`: the rules model, loader and routing;
- `config`: settings, secret stores and locks;
- `http`: the neutral request and response values every layer shares;
- the kernel modules: `errors`, `secret_value`, `deadline`, `timing`, `lazy`, `lifecycle`,
  `pseudonym_options`, `log_events`, `safe_logging`, `http_client`;
- around the serving path: `cli` (the `proxy` command), `tooling` (what its commands use),
  `simulator` (Atlassian on loopback), `packaging` (the deployable artifacts).
"""

__version__ = "0.1.0"
#: What the health check (`version`), `X-Psoxy-Psoxy-Version` and `proxy --version` show.
VERSION = f"v{__version__}"

__all__ = ["VERSION"]
