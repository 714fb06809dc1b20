// Package claims is the insurance pool's claim registry: a bbolt database in
// a pool directory that records accepted lowball-offer claims, the member
// roots and attester keys it trusts, the benchmark tables it pays against,
// and the nullifiers already spent.
//
// Accepting a claim is one bbolt read-write transaction: the root, employer,
// benchmark and nullifier checks and the inserts commit together and are
// fsynced before Accept returns. bbolt admits one writer at a time (and one
// process at a time, by a file lock), so two submissions of one nullifier
// can never both pass the check, and a crash loses no accepted claim.
package claims

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	bolt "go.etcd.io/bbolt"
)

// DBFile is the database's name inside a pool directory.
const DBFile = "pool.db"

// Rejections: each failed Accept wraps one of them.
var (
	ErrNoPool          = errors.New("no pool here")
	ErrNullifierUsed   = errors.New("nullifier already used: this offer has been claimed")
	ErrUnknownRoot     = errors.New("unknown member root")
	ErrStaleRoot       = errors.New("stale member root")
	ErrUnknownEmployer = errors.New("employer is not a registered attester")
	ErrNoBenchmark     = errors.New("no published benchmark for this cell")
	ErrWrongBenchmark  = errors.New("benchmark differs from the published one")
	ErrCheckDate       = errors.New("check date out of range")
)

var (
	bucketMeta       = []byte("meta")
	bucketRoots      = []byte("roots")      // seq -> rootEntry
	bucketRootIndex  = []byte("root_index") // root -> seq
	bucketAttesters  = []byte("attesters")  // leaf -> {}
	bucketCells      = []byte("benchmarks") // cell key -> cellEntry
	bucketTables     = []byte("tables")     // table id -> tableEntry
	bucketNullifiers = []byte("nullifiers") // nullifier -> claim seq
	bucketClaims     = []byte("claims")     // seq -> Claim
	bucketEmployers  = []byte("employers")  // employer key hash -> count
	allBuckets       = [][]byte{bucketMeta, bucketRoots, bucketRootIndex, bucketAttesters, bucketCells, bucketTables, bucketNullifiers, bucketClaims, bucketEmployers}
	keyConfig        = []byte("config")
)

// Config is the pool's policy, fixed at init.
type Config struct {
	// RootWindow is how long a member root stays acceptable after a newer
	// root replaced it, so that a join between proving and submitting does
	// not invalidate a valid claim.
	RootWindow time.Duration `json:"root_window"`
	// DateGraceDays is how many days before today a claim's check date may
	// lie (a proof made yesterday evening is still good this morning).
	DateGraceDays int `json:"date_grace_days"`
	// MinEmployerClaims is k: the reputation table shows an employer only
	// from k accepted claims on.
	MinEmployerClaims int `json:"min_employer_claims"`
}

// DefaultConfig is 7 days of root history, 1 day of grace, k = 3.
func DefaultConfig() Config {
	return Config{RootWindow: 7 * 24 * time.Hour, DateGraceDays: 1, MinEmployerClaims: 3}
}

// Pool is an open claim registry. Its methods are safe for concurrent use;
// while it is open, other processes wait to open the same pool.
type Pool struct {
	db  *bolt.DB
	cfg Config
}

// OpenTimeout bounds how long Open waits for another process to close the pool.
const OpenTimeout = 60 * time.Second

// Init creates a pool in dir (created if missing) with cfg.
func Init(dir string, cfg Config) error {
	if cfg.RootWindow < 0 || cfg.DateGraceDays < 0 || cfg.MinEmployerClaims < 1 {
		return fmt.Errorf("claims: invalid pool policy %+v", cfg)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("claims: a pool exists in %s", dir)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: OpenTimeout})
	if err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		c, _ := json.Marshal(cfg)
		return tx.Bucket(bucketMeta).Put(keyConfig, c)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	return nil
}

// Open opens the pool in dir, waiting up to OpenTimeout for another process.
func Open(dir string) (*Pool, error) {
	path := filepath.Join(dir, DBFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %s (run `wageproof claim pool init --pool %s`)", ErrNoPool, dir, dir)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: OpenTimeout})
	if err != nil {
		return nil, fmt.Errorf("claims: opening %s: %w", path, err)
	}
	p := &Pool{db: db}
	err = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("%w: %s has no pool metadata", ErrNoPool, path)
		}
		return json.Unmarshal(meta.Get(keyConfig), &p.cfg)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("claims: %w", err)
	}
	return p, nil
}

// Close closes the database.
func (p *Pool) Close() error { return p.db.Close() }

// Config returns the pool's policy.
func (p *Pool) Config() Config { return p.cfg }

type rootEntry struct {
	Root  string    `json:"root"`
	Added time.Time `json:"added"`
}

// AddRoot makes root the current member root (if it is not already); the
// previous current root stays acceptable for the root window from now.
func (p *Pool) AddRoot(root fr.Element, now time.Time) (added bool, err error) {
	key := root.Bytes()
	err = p.db.Update(func(tx *bolt.Tx) error {
		roots := tx.Bucket(bucketRoots)
		if k, v := roots.Cursor().Last(); k != nil {
			var last rootEntry
			if err := json.Unmarshal(v, &last); err != nil {
				return err
			}
			if last.Root == root.String() {
				return nil
			}
		}
		seq, _ := roots.NextSequence()
		v, _ := json.Marshal(rootEntry{Root: root.String(), Added: now.UTC()})
		if err := roots.Put(u64(seq), v); err != nil {
			return err
		}
		added = true
		return tx.Bucket(bucketRootIndex).Put(key[:], u64(seq))
	})
	return added, err
}

// SetAttesters replaces the set of registered employer key hashes (the
// attester registry's leaves).
func (p *Pool) SetAttesters(leaves []fr.Element) error {
	return p.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketAttesters); err != nil {
			return err
		}
		b, err := tx.CreateBucket(bucketAttesters)
		if err != nil {
			return err
		}
		for _, l := range leaves {
			k := l.Bytes()
			if err := b.Put(k[:], []byte{}); err != nil {
				return err
			}
		}
		return nil
	})
}

type cellEntry struct {
	Amount uint64 `json:"amount"`
	Table  string `json:"table"`
}

type tableEntry struct {
	Period      string    `json:"period"`
	Quantile    float64   `json:"quantile"`
	ContentHash string    `json:"content_hash"`
	Cells       int       `json:"cells"`
	Added       time.Time `json:"added"`
}

// Publish registers a benchmark table: claims are judged against its cells
// from now on (a later table replaces the cells it also covers).
func (p *Pool) Publish(t *Benchmarks, now time.Time) error {
	return p.db.Update(func(tx *bolt.Tx) error {
		cells := tx.Bucket(bucketCells)
		for _, e := range t.Entries {
			v, _ := json.Marshal(cellEntry{Amount: e.Amount, Table: t.ID})
			if err := cells.Put(t.cell(e).key(), v); err != nil {
				return err
			}
		}
		v, _ := json.Marshal(tableEntry{t.Period, t.Quantile, t.ContentHash, len(t.Entries), now.UTC()})
		return tx.Bucket(bucketTables).Put([]byte(t.ID), v)
	})
}

// Claim is an accepted claim: the public statement of the proof and where
// the pool recorded it. It holds nothing about the member or the amount.
type Claim struct {
	Seq             uint64          `json:"seq"`
	Nullifier       string          `json:"nullifier"`
	EmployerKeyHash string          `json:"employer_key_hash"`
	Benchmark       uint64          `json:"benchmark"`
	Cell            Cell            `json:"cell"`
	CheckDate       string          `json:"check_date"`
	MemberRoot      string          `json:"member_root"`
	BenchmarkTable  string          `json:"benchmark_table"`
	AcceptedAt      time.Time       `json:"accepted_at"`
	Proof           json.RawMessage `json:"proof,omitempty"` // the envelope, for audit
}

// Accept records a claim whose proof has been verified (see Check), after
// checking it against the pool's state, all in one durable transaction.
func (p *Pool) Accept(c *Claim, now time.Time) error {
	if err := p.checkDate(c.CheckDate, now); err != nil {
		return err
	}
	null, err := elementKey(c.Nullifier)
	if err != nil {
		return err
	}
	employer, err := elementKey(c.EmployerKeyHash)
	if err != nil {
		return err
	}
	root, err := elementKey(c.MemberRoot)
	if err != nil {
		return err
	}
	return p.db.Update(func(tx *bolt.Tx) error {
		if err := p.checkRoot(tx, root, now); err != nil {
			return err
		}
		if tx.Bucket(bucketAttesters).Get(employer) == nil {
			return fmt.Errorf("%w: %s", ErrUnknownEmployer, c.EmployerKeyHash)
		}
		v := tx.Bucket(bucketCells).Get(c.Cell.key())
		if v == nil {
			return fmt.Errorf("%w: %s", ErrNoBenchmark, c.Cell)
		}
		var cell cellEntry
		if err := json.Unmarshal(v, &cell); err != nil {
			return err
		}
		if cell.Amount != c.Benchmark {
			return fmt.Errorf("%w: the proof says %d, the pool's table for %s says %d", ErrWrongBenchmark, c.Benchmark, c.Cell, cell.Amount)
		}
		nulls := tx.Bucket(bucketNullifiers)
		if nulls.Get(null) != nil {
			return ErrNullifierUsed
		}
		claims := tx.Bucket(bucketClaims)
		seq, err := claims.NextSequence()
		if err != nil {
			return err
		}
		c.Seq, c.BenchmarkTable, c.AcceptedAt = seq, cell.Table, now.UTC()
		rec, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if err := claims.Put(u64(seq), rec); err != nil {
			return err
		}
		if err := nulls.Put(null, u64(seq)); err != nil {
			return err
		}
		emp := tx.Bucket(bucketEmployers)
		var n uint64
		if old := emp.Get(employer); old != nil {
			n = binary.BigEndian.Uint64(old)
		}
		return emp.Put(employer, u64(n+1))
	})
}

// checkRoot accepts the current root, and an older one while the root that
// replaced it is younger than the root window.
func (p *Pool) checkRoot(tx *bolt.Tx, root []byte, now time.Time) error {
	seq := tx.Bucket(bucketRootIndex).Get(root)
	if seq == nil {
		return ErrUnknownRoot
	}
	next := tx.Bucket(bucketRoots).Get(u64(binary.BigEndian.Uint64(seq) + 1))
	if next == nil {
		return nil // current
	}
	var e rootEntry
	if err := json.Unmarshal(next, &e); err != nil {
		return err
	}
	if age := now.Sub(e.Added); age > p.cfg.RootWindow {
		return fmt.Errorf("%w: replaced %s ago, the pool accepts old roots for %s", ErrStaleRoot, age.Round(time.Minute), p.cfg.RootWindow)
	}
	return nil
}

func (p *Pool) checkDate(date string, now time.Time) error {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return fmt.Errorf("%w: %q is not a date", ErrCheckDate, date)
	}
	today := now.UTC().Truncate(24 * time.Hour)
	switch {
	case d.Before(today.AddDate(0, 0, -p.cfg.DateGraceDays)):
		return fmt.Errorf("%w: the proof checks expiry on %s, more than %d day(s) before today (%s)", ErrCheckDate, date, p.cfg.DateGraceDays, today.Format(time.DateOnly))
	case d.After(today.AddDate(0, 0, 1)):
		return fmt.Errorf("%w: %s is in the future", ErrCheckDate, date)
	}
	return nil
}

// Claims returns every accepted claim, in acceptance order.
func (p *Pool) Claims() ([]Claim, error) {
	var out []Claim
	err := p.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketClaims).ForEach(func(_, v []byte) error {
			var c Claim
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			c.Proof = nil
			out = append(out, c)
			return nil
		})
	})
	return out, err
}

// EmployerCount is a row of the reputation table.
type EmployerCount struct {
	EmployerKeyHash string `json:"employer_key_hash"`
	Claims          uint64 `json:"claims"`
}

// Employers returns the employers with at least the pool's k accepted claims,
// most claims first. Smaller counts are withheld: they could single out a
// member who is known to have had an offer from that employer.
func (p *Pool) Employers() ([]EmployerCount, error) {
	var out []EmployerCount
	err := p.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEmployers).ForEach(func(k, v []byte) error {
			n := binary.BigEndian.Uint64(v)
			if n >= uint64(p.cfg.MinEmployerClaims) {
				var e fr.Element
				e.SetBytes(k)
				out = append(out, EmployerCount{e.String(), n})
			}
			return nil
		})
	})
	sortCounts(out)
	return out, err
}

func u64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

func elementKey(s string) ([]byte, error) {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 || v.Cmp(fr.Modulus()) >= 0 || v.String() != s {
		return nil, fmt.Errorf("claims: %q is not a canonical field element", s)
	}
	var e fr.Element
	e.SetBigInt(v)
	b := e.Bytes()
	return b[:], nil
}
