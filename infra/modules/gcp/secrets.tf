# Secret Manager: the OAuth client and tokens under the instance prefix (created empty; the
# operator or `proxy setup` adds the first version), the salt and encryption key under the
# shared prefix (generated once), and least-privilege access for the function's account.

resource "google_secret_manager_secret" "instance" {
  for_each = local.instance_secret_ids

  project   = var.project_id
  secret_id = each.value
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
    # The proxy keeps its own labels here (`latest-version`, and `locked` for the refresh lock).
    ignore_changes = [labels]
  }

  depends_on = [google_project_service.required]
}

resource "random_password" "salt" {
  count   = var.create_shared_secrets ? 1 : 0
  length  = 20
  special = true
}

resource "random_password" "encryption_key" {
  count   = var.create_shared_secrets ? 1 : 0
  length  = 32
  special = true
}

resource "google_secret_manager_secret" "shared" {
  for_each = { for key, id in local.shared_secret_ids : key => id if var.create_shared_secrets }

  project   = var.project_id
  secret_id = each.value
  labels    = merge(var.labels, { terraform_managed_value = "true" })

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

  depends_on = [google_project_service.required]
}

resource "google_secret_manager_secret_version" "salt" {
  count = var.create_shared_secrets ? 1 : 0

  secret          = google_secret_manager_secret.shared["PSOXY_SALT"].id
  secret_data     = coalesce(var.pseudonym_salt, random_password.salt[0].result)
  deletion_policy = "DISABLE"

  lifecycle {
    # Never replace the salt: every pseudonym depends on it.
    ignore_changes = [secret_data]
  }
}

resource "google_secret_manager_secret_version" "encryption_key" {
  count = var.create_shared_secrets ? 1 : 0

  secret          = google_secret_manager_secret.shared["PSOXY_ENCRYPTION_KEY"].id
  secret_data     = random_password.encryption_key[0].result
  deletion_policy = "DISABLE"

  lifecycle {
    ignore_changes = [secret_data]
  }
}

# --- Access -----------------------------------------------------------------------------------

# What the proxy needs on a secret it rewrites, and nothing more (see proxy.config.stores /
# locks): read the secret (its labels) and its versions, add a version, list and destroy older
# versions (each version is billed), and update the secret for its `latest-version` label and
# the label-based lock. IAM cannot narrow `secrets.update` to labels (conditions see the
# secret's name, not the update mask), so it also allows changing expiry or rotation of these
# three secrets; the grant is per secret, and Terraform shows any such change as drift.
resource "google_project_iam_custom_role" "secret_version_manager" {
  project     = var.project_id
  role_id     = local.secret_version_manager_role_id
  title       = "Secret version manager for ${local.function_name}"
  description = "Lets the Confluence proxy rotate OAuth tokens in its own secrets; granted per secret, never project-wide."
  permissions = [
    "secretmanager.secrets.get",
    "secretmanager.secrets.update",
    "secretmanager.versions.access",
    "secretmanager.versions.add",
    "secretmanager.versions.destroy",
    "secretmanager.versions.list",
  ]
}

resource "google_secret_manager_secret_iam_member" "writable" {
  for_each = toset(local.writable_secret_names)

  project   = var.project_id
  secret_id = google_secret_manager_secret.instance[each.key].secret_id
  role      = google_project_iam_custom_role.secret_version_manager.name
  member    = "serviceAccount:${google_service_account.function.email}"
}

resource "google_secret_manager_secret_iam_member" "read_only" {
  for_each = toset(local.read_only_secret_names)

  project   = var.project_id
  secret_id = google_secret_manager_secret.instance[each.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function.email}"
}

resource "google_secret_manager_secret_iam_member" "shared" {
  for_each = local.shared_secret_ids

  project   = var.project_id
  secret_id = var.create_shared_secrets ? google_secret_manager_secret.shared[each.key].secret_id : each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function.email}"
}
