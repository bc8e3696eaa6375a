"""Operator tooling behind `proxy setup` and `proxy call`: no part of the serving path.

`setup_flow.run_setup` runs the Atlassian consent; `secret_targets` writes its result into the
proxy's own secret stores; `signing` and `calls` call a deployed proxy like the analytics
service does; `rules_lint` checks that every person field the rules admit is hidden
(`proxy sanitize --lint`). Cloud SDKs (botocore, google-auth) are imported only inside the code
that needs them. Its modules are used by name; the package exports nothing itself.

May import: everything of the proxy except `platforms` and `cli`.
"""

__all__: list[str] = []
