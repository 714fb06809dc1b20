package service

import (
	"context"
	"fmt"
	"net/http"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/verifier"
)

// SubmissionResult is the answer to an accepted salary proof.
type SubmissionResult struct {
	Status     string `json:"status"` // "accepted"
	Circuit    string `json:"circuit"`
	Nullifier  string `json:"nullifier"`
	Lo         uint64 `json:"lo"`
	Hi         uint64 `json:"hi"`
	Currency   string `json:"currency"`
	Role       string `json:"role"`
	Region     string `json:"region"`
	Period     string `json:"period"`
	Attested   bool   `json:"attested"`
	Generation uint64 `json:"generation"` // the store generation that holds it
}

// verify runs v in one of the verification slots.
func (s *Server) verify(ctx context.Context, f func() error) error {
	select {
	case s.verifySlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.verifySlots }()
	return f()
}

func (s *Server) submitProof(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	env, err := verifier.ParseEnvelope(body)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	// Cheap checks before the pairing: shape, then root.
	row, err := aggregate.RowFromEnvelope(env, now)
	if err != nil {
		return err
	}
	if !s.members.accepts(row.MemberRoot.String(), now) {
		return newError(http.StatusUnprocessableEntity, CodeUnknownRoot,
			"the proof's member root is not one this service accepts (see /v1/members/roots): prove again against the current root")
	}
	// A resent proof is refused before its pairing check: resends cost a
	// lookup, not a verification.
	if stored, err := s.store.Stored(s.writer.snap.Load(), row.Nullifier); err != nil {
		return err
	} else if stored {
		return fmt.Errorf("%w %s", aggregate.ErrDuplicate, row.Nullifier.Hex())
	}
	if err := s.verify(r.Context(), func() error { return s.cfg.Verifier.Verify(env) }); err != nil {
		return err
	}
	res, err := s.writer.submit(r.Context(), row)
	if err != nil {
		return err
	}
	if res.err != nil {
		return res.err
	}
	writeJSON(w, http.StatusCreated, SubmissionResult{
		Status: "accepted", Circuit: env.Circuit, Nullifier: row.Nullifier.String(),
		Lo: row.Lo, Hi: row.Hi, Currency: row.Currency, Role: row.Role, Region: row.Region, Period: row.Period,
		Attested: row.Attested, Generation: res.generation,
	})
	return nil
}

// ClaimResult is the answer to an accepted claim.
type ClaimResult struct {
	Status string `json:"status"` // "accepted"
	claims.Claim
}

func (s *Server) submitClaim(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	env, err := verifier.ParseEnvelope(body)
	if err != nil {
		return err
	}
	var c *claims.Claim
	if err := s.verify(r.Context(), func() (err error) {
		c, err = claims.Check(env, body, s.cfg.Verifier)
		return err
	}); err != nil {
		return err
	}
	if err := s.pool.Accept(c, s.cfg.Now()); err != nil {
		return err
	}
	out := ClaimResult{Status: "accepted", Claim: *c}
	out.Proof = nil
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// EmployersResult is the reputation table: claim counts of employers with
// at least K accepted claims.
type EmployersResult struct {
	K         int                    `json:"k"`
	Employers []claims.EmployerCount `json:"employers"`
}

func (s *Server) employers(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.pool.Employers()
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []claims.EmployerCount{}
	}
	writeJSON(w, http.StatusOK, EmployersResult{K: s.pool.Config().MinEmployerClaims, Employers: rows})
	return nil
}
