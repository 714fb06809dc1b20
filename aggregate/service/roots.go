package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/google/renameio/v2"
)

// rootHistory is the sequence of member registry roots, each with the time
// it became current. It has the claim pool's root-window semantics: the
// current root is accepted, and an older one until the root that replaced it
// is older than the window, so that a join between proving and submitting
// does not invalidate a proof.
type rootHistory struct {
	path    string
	Version int         `json:"version"`
	Roots   []rootEntry `json:"roots"`
}

type rootEntry struct {
	Root  string    `json:"root"`
	Added time.Time `json:"added"`
}

// RootInfo is a root the service accepts, as the API lists it.
type RootInfo struct {
	Root    string    `json:"root"`
	Added   time.Time `json:"added"`
	Current bool      `json:"current"`
	// Expires is when the root stops being accepted; absent for the
	// current root.
	Expires *time.Time `json:"expires,omitempty"`
}

func loadRoots(path string) (*rootHistory, error) {
	h := &rootHistory{path: path, Version: 1}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, h); err != nil {
		return nil, fmt.Errorf("root history %s: %w", path, err)
	}
	if h.Version != 1 {
		return nil, fmt.Errorf("root history %s: version %d, want 1", path, h.Version)
	}
	h.path = path
	return h, nil
}

// add records root as current, if it is not already, and saves the history
// atomically.
func (h *rootHistory) add(root string, now time.Time) error {
	if n := len(h.Roots); n > 0 && h.Roots[n-1].Root == root {
		return nil
	}
	next := append(h.Roots[:len(h.Roots):len(h.Roots)], rootEntry{Root: root, Added: now.UTC()})
	b, err := json.MarshalIndent(rootHistory{Version: 1, Roots: next}, "", "  ")
	if err != nil {
		return err
	}
	if err := renameio.WriteFile(h.path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	h.Roots = next
	return nil
}

// accepted lists the roots accepted at now, newest first.
func (h *rootHistory) accepted(now time.Time, window time.Duration) []RootInfo {
	var out []RootInfo
	for i := len(h.Roots) - 1; i >= 0; i-- {
		e := h.Roots[i]
		if i == len(h.Roots)-1 {
			out = append(out, RootInfo{Root: e.Root, Added: e.Added, Current: true})
			continue
		}
		exp := h.Roots[i+1].Added.Add(window)
		if !now.Before(exp) {
			break // older roots were replaced earlier still
		}
		out = append(out, RootInfo{Root: e.Root, Added: e.Added, Expires: &exp})
	}
	return out
}
