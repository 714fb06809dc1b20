package aggregate

import "errors"

var (
	// ErrCorrupt reports a store, segment or input file that is damaged:
	// truncated, of the wrong format, or inconsistent with the manifest.
	ErrCorrupt = errors.New("corrupt")
	// ErrNoStore reports a directory that holds no store.
	ErrNoStore = errors.New("no store")
	// ErrDuplicate reports a nullifier that is already stored: one member,
	// one submission per period.
	ErrDuplicate = errors.New("duplicate nullifier")
	// ErrLocked reports a store another process is writing.
	ErrLocked = errors.New("store is locked by another process")
)
