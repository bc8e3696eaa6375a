"""The `proxy` command: `serve`, `sanitize`, `simulate`, `setup`, `call`, `build` (`main.main`).

Each `*_command` module registers one subcommand and only wires and calls the rest of the
proxy; the package exports nothing itself.

May import: everything of the proxy.
"""

__all__: list[str] = []
