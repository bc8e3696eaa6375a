# REFRESH_TOKEN_GRANTED_AT: when the operator consented (ISO-8601 UTC), written by
# `proxy setup confluence` next to the refresh token. The function may only read it: it warns
# before Atlassian's 365-day limit on the token family. Created empty, like the OAuth secrets;
# without a version the expiry is reported as unknown.

resource "google_secret_manager_secret" "token_granted_at" {
  project   = var.project_id
  secret_id = "${local.instance_prefix}REFRESH_TOKEN_GRANTED_AT"
  labels    = merge(var.labels, { terraform_managed_value = "false" })

  replication {
    user_managed {
      dynamic "replicas" {
        for_each = var.secret_replica_locations
        content {
          location = replicas.value
        }
      }
    }
  }

  lifecycle {
    # `proxy setup` moves the `latest-version` label on every write.
    ignore_changes = [labels]
  }

  depends_on = [google_project_service.required]
}

resource "google_secret_manager_secret_iam_member" "token_granted_at_reader" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.token_granted_at.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function.email}"
}
