"""Platform adapters: AWS Lambda, GCP Cloud Functions, and how they are composed.

Importing this package is the first thing the Lambda runtime does for our handler: the garbage
collector is held off from here until the first invocation has answered (`startup_gc`).
"""

import os

from proxy.platforms.startup_gc import begin_if_lambda_is_loading_us

begin_if_lambda_is_loading_us(os.environ)
