package store

import "time"

// SecretInfo describes a platform secret without its value.
type SecretInfo struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}
