"""The platforms: thin adapters that translate a platform's events into the gateway's terms.

Its public modules are named by the deployments, so they are modules, not names of this
package: `aws_lambda` (`handler`, Terraform's handler string), `gcp_main` (`route`, the GCP
source zip's entry point and `proxy serve`'s) and `composition` (`build_gateway`, the one place
collaborators are built). The package itself exports nothing, so that importing an entry
module stays cheap at cold start. Both entries share `_entry` (one build, one error path).

May import: everything of the proxy; cloud SDKs and flask only in the module that needs them.
"""

__all__: list[str] = []
