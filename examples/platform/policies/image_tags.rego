# METADATA
# title: Production images are pinned
# description: |
#   In production every container image names an immutable version:
#   - a digest (`app@sha256:<64 hex>`, with or without a tag) is always fine;
#   - otherwise the image needs a tag, and the tag may not be `latest`;
#   - `.` (built from source at deploy time) is denied: production runs an
#     image that CI built, pushed and tested, not one built on the way in.
#   Other environment types are not checked, and neither is tearing down
#   (destroy, delete-env).
package pave.image_tags

teardown_actions := {"destroy", "delete-env"}

digest_pattern := `@sha256:[a-f0-9]{64}$|@sha512:[a-f0-9]{128}$`

deny contains msg if {
	input.environment.type == "production"
	not input.action in teardown_actions
	some w in input.plan.workloads
	some c in w.containers
	problem := image_problem(c.image)
	msg := sprintf("workload %q container %q: image %q %s: production images must be pinned to a version tag or a digest", [w.name, c.name, c.image, problem])
}

# image_problem says what is wrong with an image reference, and is undefined
# when it is pinned.
image_problem(image) := "is built from source at deploy time" if {
	image == "."
} else := "has a malformed digest" if {
	contains(image, "@")
	not regex.match(digest_pattern, image)
} else := "has no tag" if {
	not contains(image, "@")
	not tagged(image)
} else := "uses the latest tag" if {
	not contains(image, "@")
	tag(image) == "latest"
}

# tag is the tag of an image reference without a digest: what follows the
# last ":" of its last path segment, so that "registry:5000/app" has none.
tag(image) := t if {
	segments := split(image, "/")
	parts := split(segments[count(segments) - 1], ":")
	count(parts) == 2
	t := parts[1]
}

tagged(image) if tag(image) != ""
