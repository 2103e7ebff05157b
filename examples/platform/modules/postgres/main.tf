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

# The admin connection reaches psql as libpq's PG* environment variables,
# so that nothing secret is on its command line, where ps would show it.
variable "admin_host" {
  type        = string
  default     = "127.0.0.1"
  description = "host of the server, for the admin connection"
}

variable "admin_port" {
  type    = number
  default = 5432
}

variable "admin_user" {
  type        = string
  default     = "postgres"
  description = "a role that may create databases and roles"
}

variable "admin_password" {
  type        = string
  sensitive   = true
  description = "admin_user's password (ignored by a server that trusts the connection)"
}

variable "admin_database" {
  type    = string
  default = "postgres"
}

variable "admin_sslmode" {
  type    = string
  default = "prefer"
}

variable "instance" {
  type        = string
  description = "what identifies the resource instance, such as app/env/resId: the names derive from it"
}

variable "host" {
  type        = string
  default     = null
  description = "the host workloads connect to; default: admin_host"
}

variable "port" {
  type        = number
  default     = null
  description = "the port workloads connect to; default: admin_port"
}

locals {
  # Lower-case letters, digits and _, at most 63 bytes with the suffix:
  # unquoted identifiers, distinct for instances that sanitise alike.
  base     = trim(substr(replace(lower(var.instance), "/[^a-z0-9]+/", "_"), 0, 48), "_")
  suffix   = substr(sha256(var.instance), 0, 8)
  database = "db_${local.base}_${local.suffix}"
  username = "u_${local.base}_${local.suffix}"

  admin_env = {
    PGHOST     = var.admin_host
    PGPORT     = tostring(var.admin_port)
    PGUSER     = var.admin_user
    PGPASSWORD = var.admin_password
    PGDATABASE = var.admin_database
    PGSSLMODE  = var.admin_sslmode
  }
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
    admin    = local.admin_env
    database = local.database
    username = local.username
  }

  # Names and the password reach psql on its standard input, never its
  # command line. They are letters, digits and _, so they need no quoting
  # in \set; psql's :'var' quotes them in SQL.
  provisioner "local-exec" {
    environment = merge(local.admin_env, {
      DATABASE      = local.database
      ROLE          = local.username
      ROLE_PASSWORD = random_password.password.result
    })
    command = <<-EOT
      psql -X -q -v ON_ERROR_STOP=1 <<SQL
      \set db '$DATABASE'
      \set role '$ROLE'
      \set pw '$ROLE_PASSWORD'
      SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
      SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'pw') \gexec
      SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
      SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
      SQL
    EOT
  }

  provisioner "local-exec" {
    when = destroy
    environment = merge(self.input.admin, {
      DATABASE = self.input.database
      ROLE     = self.input.username
    })
    command = <<-EOT
      psql -X -q -v ON_ERROR_STOP=1 <<SQL
      \set db '$DATABASE'
      \set role '$ROLE'
      SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \gexec
      SELECT format('DROP ROLE IF EXISTS %I', :'role') \gexec
      SQL
    EOT
  }
}

output "host" {
  value = coalesce(var.host, var.admin_host)
}

output "port" {
  value = coalesce(var.port, var.admin_port)
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
