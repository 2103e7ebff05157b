package api

import (
	"net/http"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

func (s *Server) listApps(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	apps, err := s.svc.ListApps(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(apps))
	return nil
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body CreateAppBody
	if err := decode(r, &body); err != nil {
		return err
	}
	app := &store.App{Name: body.Name, Team: body.Team}
	if err := s.svc.CreateApp(r.Context(), a, app); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, app)
	return nil
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	app, err := s.svc.GetApp(r.Context(), a, r.PathValue("app"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, app)
	return nil
}

func (s *Server) updateApp(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body UpdateAppBody
	if err := decode(r, &body); err != nil {
		return err
	}
	app, err := s.svc.SetAppTeam(r.Context(), a, r.PathValue("app"), body.Team)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, app)
	return nil
}

func (s *Server) listEnvironments(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	envs, err := s.svc.ListEnvironments(r.Context(), a, r.PathValue("app"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(envs))
	return nil
}

func (s *Server) resources(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	reveal, err := queryBool(r, "reveal")
	if err != nil {
		return err
	}
	rs, err := s.svc.Resources(r.Context(), s.config().Platform, a, r.PathValue("app"), r.PathValue("env"), reveal)
	if err != nil {
		return err
	}
	if reveal {
		w.Header().Set("Cache-Control", "no-store")
	}
	writeJSON(w, http.StatusOK, nonNil(rs))
	return nil
}

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	ps, err := s.svc.ListPlans(r.Context(), a, r.PathValue("app"), r.PathValue("env"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(ps))
	return nil
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	p, err := s.svc.GetPlan(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) listDeployments(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	ds, err := s.svc.Deployments(r.Context(), a, r.PathValue("app"), r.PathValue("env"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(ds))
	return nil
}

func (s *Server) getDeployment(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	d, err := s.svc.Deployment(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// followEvery is how often a followed deployment's events are read from the
// store; reading the store, rather than this replica's memory, follows a
// deployment whichever replica runs it.
const followEvery = 200 * time.Millisecond

// events lists a deployment's events after ?after=SEQ; with ?follow=true
// and a stream format it keeps sending them until the deployment ends.
func (s *Server) events(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	after, err := queryInt(r, "after")
	if err != nil {
		return err
	}
	follow, err := queryBool(r, "follow")
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	d, err := s.svc.Deployment(r.Context(), a, id)
	if err != nil {
		return err
	}
	seq := int64(after)
	format := streamFormat(r)
	if !follow || format == "" {
		if follow {
			return errs.New(errs.Invalid, "follow needs Accept: %s or %s", mediaNDJSON, mediaSSE)
		}
		out := []store.DeploymentEvent{}
		for _, ev := range d.Events {
			if ev.Seq > seq {
				out = append(out, ev)
			}
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	sw := newStreamWriter(w, format)
	tick := time.NewTicker(followEvery)
	defer tick.Stop()
	for {
		evs, err := s.svc.Store.ListEvents(r.Context(), id, seq)
		if err != nil {
			info := errorInfo(err)
			sw.line(StreamLine{Type: "error", Status: status(info.Code), Error: &info})
			sw.flush()
			return nil
		}
		for _, ev := range evs {
			sw.line(StreamLine{Type: "event", Event: ev})
			seq = ev.Seq
		}
		sw.flush()
		dep, err := s.svc.Store.GetDeployment(r.Context(), id)
		if err == nil && dep.Status.Finished() {
			if evs, err := s.svc.Store.ListEvents(r.Context(), id, seq); err == nil {
				for _, ev := range evs {
					sw.line(StreamLine{Type: "event", Event: ev})
				}
			}
			sw.line(StreamLine{Type: "result", Status: http.StatusOK, Deployment: dep})
			sw.flush()
			return nil
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-tick.C:
		}
	}
}

func (s *Server) audit(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	q := r.URL.Query()
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	since, err := queryTime(r, "since")
	if err != nil {
		return err
	}
	until, err := queryTime(r, "until")
	if err != nil {
		return err
	}
	f := store.AuditFilter{Actor: q.Get("actor"), ActorKind: store.ActorKind(q.Get("actorKind")), Action: q.Get("action"),
		Target: q.Get("target"), Outcome: q.Get("outcome"), PlanHash: q.Get("planHash"), Since: since, Until: until,
		Before: q.Get("before"), Limit: limit}
	list, err := s.svc.Audit(r.Context(), a, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(list))
	return nil
}
