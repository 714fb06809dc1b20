package service

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/circuits/merkle"
	"github.com/wageproof/wageproof/circuits/registry"
)

// members owns the member registry file and the root history. A join
// appends under the mutex: the registry is saved atomically first, then the
// new root is recorded in the root history and the claim pool. If the
// process dies in between, the next start records the registry's root (see
// sync), so the three never disagree for long.
type members struct {
	mu     sync.RWMutex
	file   string
	reg    *registry.Registry
	roots  *rootHistory
	pool   *claims.Pool
	window time.Duration
}

func openMembers(path, rootsPath string, pool *claims.Pool, now time.Time) (*members, error) {
	reg, err := registry.Load(path)
	if err != nil {
		return nil, err
	}
	roots, err := loadRoots(rootsPath)
	if err != nil {
		return nil, err
	}
	m := &members{file: path, reg: reg, roots: roots, pool: pool, window: pool.Config().RootWindow}
	return m, m.sync(now)
}

// sync records the registry's current root everywhere it must be.
func (m *members) sync(now time.Time) error {
	root, err := m.reg.Root()
	if err != nil {
		return err
	}
	if err := m.roots.add(root.String(), now); err != nil {
		return err
	}
	if _, err := m.pool.AddRoot(root, now); err != nil {
		return fmt.Errorf("recording the member root in the claim pool: %w", err)
	}
	return nil
}

// JoinResult is the answer to a join.
type JoinResult struct {
	Index   int    `json:"index"`
	Root    string `json:"root"`
	Members int    `json:"members"`
}

func (m *members) join(leaf fr.Element, now time.Time) (JoinResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// Add to a copy: if saving fails, the registry in memory stays as the
	// file is.
	next, err := registry.Load(m.file)
	if err != nil {
		return JoinResult{}, err
	}
	if err := next.Add(leaf); err != nil {
		return JoinResult{}, err
	}
	if err := next.Save(m.file); err != nil {
		return JoinResult{}, err
	}
	m.reg = next
	if err := m.sync(now); err != nil {
		return JoinResult{}, err
	}
	idx, _, err := next.Path(leaf)
	if err != nil {
		return JoinResult{}, err
	}
	root, _ := next.Root()
	return JoinResult{Index: idx, Root: root.String(), Members: next.Len()}, nil
}

// PathResult is a member's Merkle path: what a worker's client needs to
// prove membership without downloading the registry.
type PathResult struct {
	Index int      `json:"index"`
	Root  string   `json:"root"`
	Depth int      `json:"depth"`
	Path  []string `json:"path"` // siblings from the leaf up, decimal
}

func (m *members) path(leaf fr.Element) (PathResult, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	idx, path, err := m.reg.Path(leaf)
	if err != nil {
		return PathResult{}, newError(http.StatusNotFound, CodeNotMember, "this commitment is not registered")
	}
	root, err := m.reg.Root()
	if err != nil {
		return PathResult{}, err
	}
	out := PathResult{Index: idx, Root: root.String(), Depth: merkle.Depth, Path: make([]string, len(path))}
	for i := range path {
		out.Path[i] = path[i].String()
	}
	return out, nil
}

// RootResult is the current root.
type RootResult struct {
	Root    string `json:"root"`
	Members int    `json:"members"`
}

func (m *members) current() (RootResult, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	root, err := m.reg.Root()
	if err != nil {
		return RootResult{}, err
	}
	return RootResult{Root: root.String(), Members: m.reg.Len()}, nil
}

// RootsResult lists the roots the service accepts.
type RootsResult struct {
	WindowSeconds int64      `json:"window_seconds"`
	Roots         []RootInfo `json:"roots"`
}

func (m *members) accepted(now time.Time) RootsResult {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return RootsResult{WindowSeconds: int64(m.window / time.Second), Roots: m.roots.accepted(now, m.window)}
}

// accepts reports whether a salary submission may use root.
func (m *members) accepts(root string, now time.Time) bool {
	for _, r := range m.accepted(now).Roots {
		if r.Root == root {
			return true
		}
	}
	return false
}
