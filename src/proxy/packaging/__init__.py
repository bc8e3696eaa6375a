"""Deployable artifacts: the Lambda zip and the GCP source zip (`proxy build`, `make package`).

Build-time only: nothing here runs in a deployed function, and the `packaging` library it uses
comes with the development environment, not with the artifacts. Its modules are used by name
(`artifacts` by `proxy build`); the package exports nothing itself.

May import: the kernel only: it packages the proxy's files, it does not run them.
"""

__all__: list[str] = []
