package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/verifier"
)

// Error codes: stable, part of the API (see openapi.json).
const (
	CodeBadRequest       = "bad_request"
	CodeBadQuery         = "bad_query"
	CodeTooLarge         = "too_large"
	CodeTimeout          = "timeout"
	CodeUnauthorized     = "unauthorized"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeNotMember        = "not_member"
	CodeAlreadyMember    = "already_member"
	CodeMalformedProof   = "malformed_proof"
	CodeWrongKey         = "wrong_key"
	CodeBadPublicInput   = "bad_public_input"
	CodeInvalidProof     = "invalid_proof"
	CodeNotASubmission   = "not_a_submission"
	CodeNotAClaim        = "not_a_claim"
	CodeUnknownRoot      = "unknown_root"
	CodeStaleRoot        = "stale_root"
	CodeDuplicate        = "duplicate_nullifier"
	CodeUnknownEmployer  = "unknown_employer"
	CodeNoBenchmark      = "no_benchmark"
	CodeWrongBenchmark   = "wrong_benchmark"
	CodeCheckDate        = "check_date"
	CodeNoBenchmarks     = "no_benchmarks"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal"
)

// apiError is an error with its HTTP status and stable code. Its message is
// shown to the client, so it must hold public values only.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// rejection maps a proof or claim rejection to its status and code. The
// messages come from the verifier, the store and the pool, which name only
// public values.
func rejection(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	type rule struct {
		target error
		status int
		code   string
	}
	for _, r := range []rule{
		{aggregate.ErrDuplicate, http.StatusConflict, CodeDuplicate},
		{claims.ErrNullifierUsed, http.StatusConflict, CodeDuplicate},
		{registry.ErrDuplicate, http.StatusConflict, CodeAlreadyMember},
		{claims.ErrNotAClaim, http.StatusUnprocessableEntity, CodeNotAClaim},
		{claims.ErrUnknownRoot, http.StatusUnprocessableEntity, CodeUnknownRoot},
		{claims.ErrStaleRoot, http.StatusUnprocessableEntity, CodeStaleRoot},
		{claims.ErrUnknownEmployer, http.StatusUnprocessableEntity, CodeUnknownEmployer},
		{claims.ErrNoBenchmark, http.StatusUnprocessableEntity, CodeNoBenchmark},
		{claims.ErrWrongBenchmark, http.StatusUnprocessableEntity, CodeWrongBenchmark},
		{claims.ErrCheckDate, http.StatusUnprocessableEntity, CodeCheckDate},
		{verifier.ErrMalformed, http.StatusUnprocessableEntity, CodeMalformedProof},
		{verifier.ErrWrongKey, http.StatusUnprocessableEntity, CodeWrongKey},
		{verifier.ErrPublicInput, http.StatusUnprocessableEntity, CodeBadPublicInput},
		{verifier.ErrInvalidProof, http.StatusUnprocessableEntity, CodeInvalidProof},
		{aggregate.ErrBadRow, http.StatusUnprocessableEntity, CodeNotASubmission},
		{aggregate.ErrBadQuery, http.StatusBadRequest, CodeBadQuery},
	} {
		if errors.Is(err, r.target) {
			return &apiError{Status: r.status, Code: r.code, Message: err.Error()}
		}
	}
	return &apiError{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"encoding the answer failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, e *apiError) {
	var body ErrorBody
	body.Error.Code, body.Error.Message = e.Code, e.Message
	// The logging middleware reads the code from here; it is public.
	if rw, ok := w.(*statusWriter); ok {
		rw.code = e.Code
	}
	writeJSON(w, e.Status, body)
}
