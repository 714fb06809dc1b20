package service

import (
	"encoding/json"
	"net/http"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/circuits/registry"
)

// Health is the answer of /v1/health.
type Health struct {
	Status  string             `json:"status"`
	Store   aggregate.StoreRef `json:"store"`
	Members int                `json:"members"`
	Root    string             `json:"root"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.members.current()
	if err != nil {
		return err
	}
	m := s.snapshot().Manifest
	status := "ok"
	if s.writer.failed.Load() != nil {
		status = "degraded: writes refused until restart"
	}
	writeJSON(w, http.StatusOK, Health{Status: status, Store: aggregate.StoreRef{Generation: m.Generation, Rows: m.Rows, State: m.State},
		Members: cur.Members, Root: cur.Root})
	return nil
}

// JoinRequest adds an identity commitment to the registry.
type JoinRequest struct {
	Commitment string `json:"commitment"` // canonical decimal field element
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req JoinRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return newError(http.StatusBadRequest, CodeBadRequest, "the body is not a join request: %v", err)
	}
	leaf, err := registry.ParseElement(req.Commitment)
	if err != nil {
		return newError(http.StatusBadRequest, CodeBadRequest, "commitment: %v", err)
	}
	res, err := s.members.join(leaf, s.cfg.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, res)
	return nil
}

func (s *Server) root(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.members.current()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cur)
	return nil
}

func (s *Server) roots(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.members.accepted(s.cfg.Now()))
	return nil
}

func (s *Server) memberPath(w http.ResponseWriter, r *http.Request) error {
	leaf, err := registry.ParseElement(r.PathValue("commitment"))
	if err != nil {
		return newError(http.StatusBadRequest, CodeBadRequest, "commitment: %v", err)
	}
	res, err := s.members.path(leaf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
