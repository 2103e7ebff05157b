// Package identity decides who may do what: the roles (viewer, developer,
// platform-engineer, admin), the actions of pave's core, and Authorize, the
// one function that judges a principal, an action and a scope. It also
// makes and checks API tokens: random secrets shown once, kept only as their
// SHA-256, compared in constant time. It does no I/O: the service layer
// looks up users, tokens, apps and environments and asks Authorize.
//
// # Roles
//
//   - viewer reads the apps of its teams: environments, deployments, plans,
//     resources with secret outputs masked.
//   - developer does what a viewer does, and plans, deploys, destroys,
//     promotes, rolls back and creates or deletes environments of its teams'
//     apps: directly in environments whose type the platform config opens to
//     developers (EnvironmentType spec.approval: none, which the sample
//     platform sets for development and staging); in any other type
//     (production) only with the approval of a second person. It may reveal
//     secret outputs and approve plans in the environments it changes
//     directly.
//   - platform-engineer does every app action on every app directly,
//     approves any plan, reveals secrets anywhere, reads the audit log and
//     changes the platform: its secrets, policies and definitions.
//   - admin does everything, and alone manages users, teams and other users'
//     tokens.
//
// Every authenticated principal reads the platform config (which holds no
// secret) and manages its own tokens.
//
// # Scopes
//
// A principal's roles hold on the apps of its teams (viewer, developer) or
// everywhere (platform-engineer, admin). Bindings add roles on other parts
// of the platform: viewer, developer or platform-engineer on the apps one
// team owns, or on one app, optionally only in environments of some types
// ("developer of app shop in development and staging", "viewer across team
// blog"). In a scope the most powerful role held wins (RoleIn); a
// platform-engineer binding grants the app actions there, never the global
// ones, and admin cannot be bound.
package identity
