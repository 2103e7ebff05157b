# A PostgreSQL database and a login role that owns it, on a server that
# exists already, made with psql. It needs no PostgreSQL provider: the
# built-in terraform_data runs psql at create and at destroy, and
# hashicorp/random makes the password.
#
# pave's tofu driver applies it once per postgres resource (see
# ../../definitions/staging.yaml), keeping each instance's state sealed in
# pave; its outputs are the postgres resource type's.
terraform {
  required_providers {
    random = {
      source = "hashicorp/random"
    }
  }
}

variable "admin_url" {
  type        = string
  sensitive   = true
  description = "libpq URL of a role that may create databases and roles (postgres://user:password@host:port/postgres)"
}

variable "instance" {
  type        = string
  description = "what identifies the resource instance, such as app/env/resId: the names derive from it"
}

variable "host" {
  type        = string
  default     = "127.0.0.1"
  description = "the host workloads connect to"
}

variable "port" {
  type        = number
  default     = 5432
  description = "the port workloads connect to"
}

locals {
  # Lower-case letters, digits and _, at most 63 bytes with the suffix:
  # unquoted identifiers, distinct for instances that sanitise alike.
  base     = trim(substr(replace(lower(var.instance), "/[^a-z0-9]+/", "_"), 0, 48), "_")
  suffix   = substr(sha256(var.instance), 0, 8)
  database = "db_${local.base}_${local.suffix}"
  username = "u_${local.base}_${local.suffix}"
}

resource "random_password" "password" {
  length  = 32
  special = false
}

resource "terraform_data" "database" {
  # A new name is a new database: the old one is dropped.
  triggers_replace = [local.database, local.username]

  # Destroy-time provisioners see only self: what they need is kept here.
  input = {
    admin_url = var.admin_url
    database  = local.database
    username  = local.username
  }

  # Values reach psql through the environment and psql variables, never the
  # command line, so that the password shows in no process list or log.
  provisioner "local-exec" {
    environment = {
      ADMIN_URL     = var.admin_url
      DATABASE      = local.database
      ROLE          = local.username
      ROLE_PASSWORD = random_password.password.result
    }
    command = <<-EOT
      psql "$ADMIN_URL" -X -q -v ON_ERROR_STOP=1 -v db="$DATABASE" -v role="$ROLE" -v pw="$ROLE_PASSWORD" <<'SQL'
      SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
      SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'pw') \gexec
      SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
      SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
      SQL
    EOT
  }

  provisioner "local-exec" {
    when = destroy
    environment = {
      ADMIN_URL = self.input.admin_url
      DATABASE  = self.input.database
      ROLE      = self.input.username
    }
    command = <<-EOT
      psql "$ADMIN_URL" -X -q -v ON_ERROR_STOP=1 -v db="$DATABASE" -v role="$ROLE" <<'SQL'
      SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \gexec
      SELECT format('DROP ROLE IF EXISTS %I', :'role') \gexec
      SQL
    EOT
  }
}

output "host" {
  value = var.host
}

output "port" {
  value = var.port
}

output "name" {
  value = local.database
}

output "database" {
  value = local.database
}

output "username" {
  value = local.username
}

output "password" {
  value     = random_password.password.result
  sensitive = true
}
