package store

import (
	"encoding/json"
	"time"
)

// Plan is a content-hashed plan for one environment. An approval binds to
// the plan; apply executes exactly that plan.
type Plan struct {
	ID   string `json:"id"`
	Hash string `json:"hash"`
	App  string `json:"app"`
	Env  string `json:"env"`
	// Body is the plan itself, as JSON. It must embed nothing secret.
	Body      json.RawMessage `json:"body,omitempty"`
	CreatedBy string          `json:"createdBy"`
	CreatedAt time.Time       `json:"createdAt"`
	// Approvals are the approvals given, oldest first.
	Approvals []Approval `json:"approvals,omitempty"`
}

// Validate checks that p can be stored.
func (p *Plan) Validate() error {
	err := firstErr(
		checkName("plan", "app", p.App),
		checkName("plan", "env", p.Env),
		checkName("plan", "hash", p.Hash),
		checkName("plan", "createdBy", p.CreatedBy),
	)
	if err == nil && (len(p.Body) == 0 || !json.Valid(p.Body)) {
		err = invalid("plan", "body", "is not valid JSON")
	}
	return err
}

// Approval is one person's approval of a plan.
type Approval struct {
	Actor   string    `json:"actor"`
	Comment string    `json:"comment,omitempty"`
	Time    time.Time `json:"time"`
}
