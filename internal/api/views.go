package api

import (
	"net/http"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

// The read-only views of an environment that change nothing: render,
// explain and logs.

func (s *Server) render(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body RenderBody
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Format == "" {
		return &errs.Error{Code: errs.Invalid, Path: "/format", Message: "request body: format is required (kubernetes or compose)"}
	}
	ws, err := workloads(body.Workloads)
	if err != nil {
		return err
	}
	cfg := s.config()
	out, err := s.svc.Render(r.Context(), service.RenderRequest{Platform: cfg.Platform, Policies: cfg.Policies,
		App: r.PathValue("app"), Env: r.PathValue("env"), Workloads: ws, Format: body.Format, Images: body.Images,
		Builds: body.Builds, Actor: a})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) explain(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	q := r.URL.Query()
	if q.Get("type") == "" {
		return errs.New(errs.Invalid, "query parameter type is required")
	}
	ex, err := s.svc.Explain(r.Context(), service.ExplainRequest{Platform: s.config().Platform, App: r.PathValue("app"),
		Env: r.PathValue("env"), Type: q.Get("type"), Class: q.Get("class"), ID: q.Get("id"), Actor: a})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ex)
	return nil
}

// defaultTail is how many log lines a request without ?tail= gets.
const defaultTail = 100

func (s *Server) logs(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	tail := defaultTail
	if r.URL.Query().Has("tail") {
		var err error
		if tail, err = queryInt(r, "tail"); err != nil {
			return err
		}
	}
	lines, err := s.svc.Logs(r.Context(), service.LogsRequest{Platform: s.config().Platform, App: r.PathValue("app"),
		Env: r.PathValue("env"), Workload: r.PathValue("workload"), Tail: tail, Actor: a})
	if err != nil {
		return err
	}
	// Logs are the workload's own output, whatever it prints.
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, nonNil(lines))
	return nil
}
