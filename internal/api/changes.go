package api

import (
	"context"
	"net/http"
	"time"

	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// workloads parses the Score documents of a request.
func workloads(files []WorkloadFile) ([]*score.Workload, error) {
	if len(files) == 0 {
		return nil, &errs.Error{Code: errs.Invalid, Path: "/workloads", Message: "request body: no workloads given"}
	}
	in := service.WorkloadInput{}
	for _, f := range files {
		in.Files = append(in.Files, service.WorkloadFile{Name: f.Name, Data: []byte(f.Content)})
	}
	return service.ParseWorkloads(in)
}

// maxWait bounds the ?wait= of a change.
const maxWait = time.Hour

// deployRequest is the core request of a change to the path's environment,
// with ?wait= read.
func (s *Server) deployRequest(r *http.Request, a service.Actor, images map[string]string, commit string) (service.DeployRequest, error) {
	cfg := s.config()
	req := service.DeployRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: r.PathValue("app"), Env: r.PathValue("env"),
		Images: images, Commit: commit, Actor: a}
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > maxWait {
			return req, errs.New(errs.Invalid, "query parameter wait: want a duration from 0 to %s such as \"2m\", not %q", maxWait, v)
		}
		req.Wait = d
	}
	return req, nil
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body ChangeBody
	if err := decode(r, &body); err != nil {
		return err
	}
	ws, err := workloads(body.Workloads)
	if err != nil {
		return err
	}
	preview, err := service.ParsePreviewMode(r.URL.Query().Get("preview"))
	if err != nil {
		return errs.New(errs.Invalid, "query parameter %s", err.Error())
	}
	cfg := s.config()
	res, err := s.svc.Plan(r.Context(), service.PlanRequest{Platform: cfg.Platform, Policies: cfg.Policies,
		App: r.PathValue("app"), Env: r.PathValue("env"), Workloads: ws, Images: body.Images, Actor: a, Preview: preview})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) deploy(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body ChangeBody
	if err := decode(r, &body); err != nil {
		return err
	}
	ws, err := workloads(body.Workloads)
	if err != nil {
		return err
	}
	req, err := s.deployRequest(r, a, body.Images, body.Commit)
	if err != nil {
		return err
	}
	req.Workloads = ws
	return s.runChange(w, r, http.StatusOK, func(ctx context.Context, p engine.Progress) (*service.DeployResult, error) {
		req.Progress = p
		return s.svc.Deploy(ctx, req)
	})
}

func (s *Server) promote(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body PromoteBody
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.From == "" {
		return &errs.Error{Code: errs.Invalid, Path: "/from", Message: "request body: from is required"}
	}
	req, err := s.deployRequest(r, a, body.Images, body.Commit)
	if err != nil {
		return err
	}
	return s.runChange(w, r, http.StatusOK, func(ctx context.Context, p engine.Progress) (*service.DeployResult, error) {
		req.Progress = p
		return s.svc.Promote(ctx, body.From, req)
	})
}

func (s *Server) rollback(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body RollbackBody
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Deployment == "" {
		return &errs.Error{Code: errs.Invalid, Path: "/deployment", Message: "request body: deployment is required"}
	}
	req, err := s.deployRequest(r, a, body.Images, body.Commit)
	if err != nil {
		return err
	}
	return s.runChange(w, r, http.StatusOK, func(ctx context.Context, p engine.Progress) (*service.DeployResult, error) {
		req.Progress = p
		return s.svc.Rollback(ctx, body.Deployment, req)
	})
}

func (s *Server) destroy(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body DestroyBody
	if err := decode(r, &body); err != nil {
		return err
	}
	req, err := s.deployRequest(r, a, nil, body.Commit)
	if err != nil {
		return err
	}
	return s.runChange(w, r, http.StatusOK, func(ctx context.Context, p engine.Progress) (*service.DeployResult, error) {
		req.Progress = p
		return s.svc.Destroy(ctx, req)
	})
}

func (s *Server) deleteEnvironment(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	req, err := s.deployRequest(r, a, nil, "")
	if err != nil {
		return err
	}
	return s.runChange(w, r, http.StatusOK, func(ctx context.Context, p engine.Progress) (*service.DeployResult, error) {
		req.Progress = p
		return s.svc.DeleteEnvironment(ctx, req)
	})
}

func (s *Server) createEnvironment(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body CreateEnvironmentBody
	if err := decode(r, &body); err != nil {
		return err
	}
	ttl, err := duration("ttl", body.TTL)
	if err != nil {
		return err
	}
	cfg := s.config()
	req := service.CreateEnvironmentRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: r.PathValue("app"),
		Env: body.Name, Type: body.Type, TTL: ttl, CloneFrom: body.CloneFrom, Actor: a}
	if body.CloneFrom == "" {
		env, res, err := s.svc.CreateEnvironment(r.Context(), req, nil)
		if err != nil {
			return err
		}
		if res != nil && res.Pending != nil { // its plan waits for an approval
			writeJSON(w, http.StatusAccepted, res)
			return nil
		}
		writeJSON(w, http.StatusCreated, CreateEnvironmentResult{Environment: env})
		return nil
	}
	// A clone deploys: it runs as a change, and answers with the
	// deployment; the environment is then listed with the app's.
	return s.runChange(w, r, http.StatusCreated, func(ctx context.Context, p engine.Progress) (*service.DeployResult, error) {
		_, res, err := s.svc.CreateEnvironment(ctx, req, func(d service.DeployRequest) service.DeployRequest {
			d.Progress, d.Images = p, body.Images
			return d
		})
		return res, err
	})
}

func (s *Server) applyPlan(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, cfg := r.PathValue("id"), s.config()
	return s.runChange(w, r, http.StatusOK, func(ctx context.Context, p engine.Progress) (*service.DeployResult, error) {
		return s.svc.ApplyPlan(ctx, service.ApplyPlanRequest{Platform: cfg.Platform, Policies: cfg.Policies,
			PlanID: id, Actor: a, Progress: p})
	})
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body ApproveBody
	if err := decode(r, &body); err != nil {
		return err
	}
	sp, err := s.svc.Approve(r.Context(), service.ApproveRequest{Platform: s.config().Platform, PlanID: r.PathValue("id"),
		Comment: body.Comment, Actor: a})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sp)
	return nil
}

// gc destroys and deletes the expired environments. Like a change it runs
// detached from the request and, when the client asks for a stream, sends
// the engine's events as they happen; it ends with the environments
// deleted and, when some could not be, the error.
func (s *Server) gc(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	cfg := s.config()
	var deleted []store.Environment
	q := s.start(func(ctx context.Context, q *queue) {
		done, err := s.svc.GC(ctx, *cfg, a, func(d service.DeployRequest) service.DeployRequest {
			d.Progress = q.push
			return d
		})
		deleted = done // read once q is finished: q.finish locks after this write
		q.finish(nil, err)
	})
	sw, ok := follow(w, r, q)
	if !ok {
		return nil
	}
	q.mu.Lock()
	err := q.err
	q.mu.Unlock()
	res := GCResult{Deleted: nonNil(deleted)}
	code := http.StatusOK
	if err != nil {
		logErr(r, err)
		info := errorInfo(err)
		res.Error, code = &info, status(info.Code)
	}
	if sw == nil {
		writeJSON(w, code, res)
		return nil
	}
	if err != nil {
		sw.line(StreamLine{Type: "error", Status: code, Error: res.Error, Deleted: res.Deleted})
	} else {
		sw.line(StreamLine{Type: "result", Status: code, Deleted: res.Deleted})
	}
	sw.flush()
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
