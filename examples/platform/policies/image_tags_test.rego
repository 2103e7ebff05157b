package pave.image_tags_test

import data.pave.image_tags.deny

run(env_type, image) := {
	"action": "deploy",
	"environment": {"name": env_type, "type": env_type},
	"plan": {"resources": [], "workloads": [{"name": "web", "containers": [{"name": "main", "image": image}]}]},
}

digest := "sha256:4c5e1b1e7bbcbb3b6f5d5bc1b8e4b7e5f8a9c6d3e2f1a0b9c8d7e6f5a4b3c2d1"

test_tagged_images_allowed if {
	every image in ["nginx:1.27", "ghcr.io/acme/web:v2.3.1", "registry:5000/team/web:2024-05-01"] {
		count(deny) == 0 with input as run("production", image)
	}
}

test_digest_pinned_allowed if {
	every image in [concat("@", ["ghcr.io/acme/web", digest]), concat("@", ["ghcr.io/acme/web:latest", digest])] {
		count(deny) == 0 with input as run("production", image)
	}
}

test_latest_denied if {
	deny == {`workload "web" container "main": image "nginx:latest" uses the latest tag: production images must be pinned to a version tag or a digest`} with input as run("production", "nginx:latest")
}

test_untagged_denied if {
	every image in ["nginx", "registry:5000/team/web", "nginx:"] {
		msgs := deny with input as run("production", image)
		some msg in msgs
		contains(msg, "has no tag")
	}
}

test_malformed_digest_denied if {
	msgs := deny with input as run("production", "web@sha256:abc")
	some msg in msgs
	contains(msg, "malformed digest")
}

test_built_at_deploy_denied if {
	msgs := deny with input as run("production", ".")
	some msg in msgs
	contains(msg, "built from source at deploy time")
}

test_other_environments_not_checked if {
	every t in ["staging", "development"] {
		count(deny) == 0 with input as run(t, "nginx:latest")
		count(deny) == 0 with input as run(t, ".")
	}
}
