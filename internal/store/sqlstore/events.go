package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pavedev/pave/internal/store"
)

// AppendEvent implements store.Deployments. The deployment's event counter
// is bumped and the event inserted in one transaction; the counter's row
// lock orders concurrent appends.
func (s *Store) AppendEvent(ctx context.Context, e *store.DeploymentEvent) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.Time = orNow(e.Time, s.clock())
	return s.tx(ctx, "append deployment event", func(c conn) error {
		err := c.queryRow(ctx, "UPDATE deployments SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq", e.DeploymentID).Scan(&e.Seq)
		if errors.Is(err, sql.ErrNoRows) {
			return deploymentNotFound(e.DeploymentID)
		}
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, "INSERT INTO deployment_events (deployment_id, seq, node, phase, action, time, duration, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			e.DeploymentID, e.Seq, e.Node, string(e.Phase), e.Action, toDB(e.Time), int64(e.Duration), e.Message)
		return err
	})
}

// ListEvents implements store.Deployments.
func (s *Store) ListEvents(ctx context.Context, deploymentID string, afterSeq int64) ([]store.DeploymentEvent, error) {
	rows, err := s.r().query(ctx, "SELECT seq, node, phase, action, time, duration, message FROM deployment_events WHERE deployment_id = ? AND seq > ? ORDER BY seq",
		deploymentID, afterSeq)
	if err != nil {
		return nil, fail(err, "list deployment events")
	}
	defer rows.Close()
	var out []store.DeploymentEvent
	for rows.Next() {
		e := store.DeploymentEvent{DeploymentID: deploymentID}
		var phase string
		var t, d int64
		if err := rows.Scan(&e.Seq, &e.Node, &phase, &e.Action, &t, &d, &e.Message); err != nil {
			return nil, fail(err, "list deployment events")
		}
		e.Phase, e.Time, e.Duration = store.EventPhase(phase), fromDB(t), time.Duration(d)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list deployment events")
	}
	if len(out) == 0 {
		var one int
		err := s.r().queryRow(ctx, "SELECT 1 FROM deployments WHERE id = ?", deploymentID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, deploymentNotFound(deploymentID)
		}
		if err != nil {
			return nil, fail(err, "list deployment events")
		}
	}
	return out, nil
}
