# The function (Cloud Functions gen2 = a Cloud Run service), its identity, its source, and who
# may invoke it: the caller service accounts and named testers only, never the public.

resource "google_project_service" "required" {
  for_each = var.enable_apis ? toset(local.required_apis) : toset([])

  project = var.project_id
  service = each.key
  # Other workloads in the project may use these APIs too.
  disable_on_destroy = false
}

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = local.service_account_id
  display_name = "Confluence proxy ${local.function_name}"
  description  = "Runtime identity of the Confluence proxy: reads its own secrets, rotates its own tokens."

  depends_on = [google_project_service.required]
}

resource "random_id" "source_bucket_suffix" {
  byte_length = 4
}

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:The bucket holds only the function's source zip (open-source code, no data or secrets); reads and writes are recorded by Cloud Audit Logs, and a second bucket just for access logs adds nothing.
  project  = var.project_id
  # At most 40 + 13 characters: bucket names stop at 63.
  name     = "${trim(substr(local.function_name, 0, 40), "-")}-src-${random_id.source_bucket_suffix.hex}"
  location = var.region
  labels   = var.labels

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.required]
}

resource "google_storage_bucket_object" "source" {
  # The content hash in the name makes every rebuilt zip a new object, which redeploys the function.
  name   = "${local.function_name}-${filesha256(var.source_zip_path)}.zip"
  bucket = google_storage_bucket.source.name
  source = var.source_zip_path
}

resource "google_cloudfunctions2_function" "proxy" {
  #checkov:skip=CKV_GCP_124:The caller is an external SaaS (the analytics service) calling over the internet, so internal-only ingress would block it; every request still needs a Google ID token of a roles/run.invoker member (no allUsers), verified by Cloud Run before the code runs.
  project     = var.project_id
  location    = var.region
  name        = local.function_name
  description = "Pseudonymizing proxy for Confluence Cloud (${var.connector_id})"
  labels      = var.labels

  build_config {
    runtime         = "python312"
    entry_point     = "route"
    service_account = var.build_service_account_email == null ? null : "projects/${var.project_id}/serviceAccounts/${var.build_service_account_email}"

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    # Reachable from the internet, but only with an ID token of an invoker (IAM below).
    ingress_settings                 = "ALLOW_ALL"
    service_account_email            = google_service_account.function.email
    all_traffic_on_latest_revision   = true
    available_memory                 = "${var.memory_mb}Mi"
    available_cpu                    = local.available_cpu
    timeout_seconds                  = var.timeout_seconds
    min_instance_count               = var.min_instances
    max_instance_count               = var.max_instances
    max_instance_request_concurrency = var.instance_concurrency
    # No secret is bound as an environment variable (the reference binds the salt): the proxy
    # reads every secret through the Secret Manager API (PATH_TO_SHARED_CONFIG), so nothing
    # secret sits in the function's environment and a rotated value needs no redeploy.
    environment_variables = local.environment_variables
  }

  depends_on = [
    google_project_service.required,
    google_secret_manager_secret_iam_member.shared,
    google_secret_manager_secret_iam_member.read_only,
    google_secret_manager_secret_iam_member.writable,
  ]

  lifecycle {
    precondition {
      condition     = var.min_instances <= var.max_instances
      error_message = "min_instances cannot exceed max_instances."
    }
  }
}

# Authoritative for roles/run.invoker on this service: any invoker added elsewhere is removed.
# (The reference notes that the cloudfunctions2 IAM resources do not work for gen2 invocation.)
resource "google_cloud_run_service_iam_binding" "invokers" {
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.proxy.name
  role     = "roles/run.invoker"
  members  = local.invoker_members

  lifecycle {
    precondition {
      condition     = length(local.invoker_members) > 0
      error_message = "Set caller_service_account_emails and/or gcp_principals_authorized_to_test: nobody could call the proxy otherwise."
    }
  }
}
