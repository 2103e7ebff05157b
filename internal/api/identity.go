package api

import (
	"net/http"

	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

func (s *Server) whoami(w http.ResponseWriter, _ *http.Request, a service.Actor) error {
	writeJSON(w, http.StatusOK, Whoami{ID: a.ID, Kind: a.Kind, Roles: nonNil(a.Roles), Teams: nonNil(a.Teams), Bindings: a.Bindings})
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	list, err := s.svc.ListTokens(r.Context(), a, r.URL.Query().Get("user"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(list))
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body CreateTokenBody
	if err := decode(r, &body); err != nil {
		return err
	}
	ttl, err := duration("ttl", body.TTL)
	if err != nil {
		return err
	}
	t, err := s.svc.CreateToken(r.Context(), service.CreateTokenRequest{User: body.User, Kind: body.Kind, Name: body.Name, TTL: ttl, Actor: a})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	if err := s.svc.RevokeToken(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	s.auth.forget()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	list, err := s.svc.ListUsers(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(list))
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body UserBody
	if err := decode(r, &body); err != nil {
		return err
	}
	u := &store.User{Name: body.Name, Roles: body.Roles, Teams: body.Teams, Bindings: body.Bindings, Disabled: body.Disabled}
	if err := s.svc.CreateUser(r.Context(), a, u); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	u, err := s.svc.GetUser(r.Context(), a, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body UserBody
	if err := decode(r, &body); err != nil {
		return err
	}
	u := &store.User{Name: r.PathValue("name"), Roles: body.Roles, Teams: body.Teams, Bindings: body.Bindings, Disabled: body.Disabled}
	if err := s.svc.UpdateUser(r.Context(), a, u); err != nil {
		return err
	}
	s.auth.forget()
	u, err := s.svc.GetUser(r.Context(), a, u.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	list, err := s.svc.ListTeams(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(list))
	return nil
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body TeamBody
	if err := decode(r, &body); err != nil {
		return err
	}
	t := &store.Team{Name: body.Name, Description: body.Description}
	if err := s.svc.CreateTeam(r.Context(), a, t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) platform(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	v, err := s.svc.Platform(r.Context(), a, *s.config())
	if err != nil {
		return err
	}
	v.LastError = s.holder.Refused()
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	list, err := s.svc.ListSecrets(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(list))
	return nil
}

func (s *Server) putSecret(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var body SecretBody
	if err := decode(r, &body); err != nil {
		return err
	}
	if err := s.svc.PutSecret(r.Context(), a, r.PathValue("name"), []byte(body.Value)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteSecret(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	if err := s.svc.DeleteSecret(r.Context(), a, r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
