"""Operator tooling behind `proxy setup` and `proxy call`: no part of the serving path.

`setup_flow.run_setup` runs the Atlassian consent; `secret_targets` writes its result into the
proxy's own secret stores; `signing` and `calls` call a deployed proxy like the analytics
service does. Cloud SDKs (botocore, google-auth) are imported only inside the code that needs
them.
"""
