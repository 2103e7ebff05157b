# A stand-in for a database module: it makes no server, but has the shape of
# one (a generated password, a record of the database) and the outputs of
# the postgres resource type. The tofu driver's tests apply it for real.
terraform {
  required_providers {
    random = {
      source = "hashicorp/random"
    }
  }
}

variable "name" {
  type        = string
  description = "database name"
}

variable "host" {
  type    = string
  default = "127.0.0.1"
}

variable "port" {
  type    = number
  default = 5432
}

variable "fail_with" {
  type        = string
  default     = ""
  description = "when set, the apply fails after the password exists (tests of partial state and log redaction)"
}

variable "sleep" {
  type        = number
  default     = 0
  description = "seconds the apply sleeps in a local-exec provisioner (tests of cancellation)"
}

resource "random_password" "password" {
  length  = 24
  special = false
  keepers = {
    name = var.name
  }
}

resource "terraform_data" "database" {
  input = {
    host = var.host
    port = var.port
    name = var.name
  }
  provisioner "local-exec" {
    command = var.fail_with == "" ? "true" : "echo failing on purpose with ${var.fail_with} >&2; exit 1"
  }
  depends_on = [random_password.password]
}

resource "terraform_data" "sleeper" {
  count = var.sleep > 0 ? 1 : 0
  provisioner "local-exec" {
    command = "exec sleep ${var.sleep}"
  }
}

output "host" {
  value = terraform_data.database.output.host
}

output "port" {
  value = terraform_data.database.output.port
}

output "name" {
  value = terraform_data.database.output.name
}

output "database" {
  value = var.name
}

output "username" {
  value = "u_${var.name}"
}

output "password" {
  value     = random_password.password.result
  sensitive = true
}
