package aggregate

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/wageproof/wageproof/prover/provertest"
)

// The crash tests re-execute the test binary as a child that ingests into a
// store and is killed with SIGKILL, then check from the parent that the
// store is exactly as it was before or after the interrupted ingest.

const (
	crashEnvDir  = "WAGEPROOF_CRASH_DIR"
	crashEnvMode = "WAGEPROOF_CRASH_MODE"
	crashBatch   = 20000
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnvDir); dir != "" {
		if err := crashChild(dir, os.Getenv(crashEnvMode)); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	code := m.Run()
	provertest.Cleanup()
	removeBenchStores()
	os.Exit(code)
}

// crashChild ingests batch after batch. In mode "step:<name>" it kills itself
// at that commit step of its first ingest; in mode "loop" it runs until the
// parent kills it, announcing each ingest it starts on stdout.
func crashChild(dir, mode string) error {
	var opts []Option
	if step, ok := cutPrefix(mode, "step:"); ok {
		opts = append(opts, WithCrashHook(func(s string) {
			if s == step {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}))
	}
	st, err := Open(dir, opts...)
	if err != nil {
		return err
	}
	for k := int(st.Manifest().Rows / crashBatch); ; k++ {
		fmt.Printf("ingest %d\n", k)
		b, err := st.Begin()
		if err != nil {
			return err
		}
		rows := Synthetic{Seed: 9, ProofLen: 64}.Rows(k*crashBatch, crashBatch)
		for i := 0; i < len(rows); i += 1000 {
			res, err := b.Add(context.Background(), rows[i:i+1000])
			if err != nil {
				return err
			}
			if n := countErrs(res); n != 0 {
				return fmt.Errorf("%d rows rejected", n)
			}
		}
		if _, err := b.Commit(); err != nil {
			return err
		}
	}
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}

func crashCmd(t *testing.T, dir, mode string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnvDir+"="+dir, crashEnvMode+"="+mode)
	cmd.Stderr = os.Stderr
	return cmd
}

// checkWhole verifies that the store holds exactly the first k whole
// batches, and that the nullifier index agrees.
func checkWhole(t *testing.T, dir string) int {
	t.Helper()
	st, err := Open(dir)
	if err != nil {
		t.Fatalf("reopening after the crash: %v", err)
	}
	defer st.Close()
	m := st.Manifest()
	if m.Rows%crashBatch != 0 {
		t.Fatalf("store holds %d rows: a partial ingest of %d", m.Rows, crashBatch)
	}
	n, err := st.ix.count()
	if err != nil {
		t.Fatal(err)
	}
	if int64(n) != m.Rows {
		t.Fatalf("index holds %d nullifiers, store %d rows", n, m.Rows)
	}
	i := 0
	err = st.Snapshot().Rows(context.Background(), func(r *Row) error {
		if want := (Synthetic{Seed: 9}).Row(i).Nullifier; r.Nullifier != want {
			return fmt.Errorf("row %d has nullifier %s, want %s", i, r.Nullifier.Hex(), want.Hex())
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, SegmentsDir))
	if len(ents) != 2*len(m.Segments) {
		t.Fatalf("%d files in segments/, %d segments: orphans left", len(ents), len(m.Segments))
	}
	return int(m.Rows / crashBatch)
}

func TestCrashAtEachCommitStep(t *testing.T) {
	tests := []struct {
		step  string
		after bool // the killed ingest is in the store
	}{
		{"segment-written", false},
		{"manifest-written", true},
		{"index-committed", true},
	}
	for _, tc := range tests {
		t.Run(tc.step, func(t *testing.T) {
			dir := t.TempDir()
			cmd := crashCmd(t, dir, "step:"+tc.step)
			err := cmd.Run()
			ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if err == nil || !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("child did not die by SIGKILL at %s: %v", tc.step, err)
			}
			want := 0
			if tc.after {
				want = 1
			}
			if got := checkWhole(t, dir); got != want {
				t.Fatalf("store holds %d ingests after a crash at %s, want %d", got, tc.step, want)
			}
			// The store takes the interrupted ingest's rows again (or rejects
			// them all as duplicates if it committed).
			res := ingestRows(t, dir, Synthetic{Seed: 9}.Rows(0, crashBatch))
			if got, wantDup := countErrs(res), want*crashBatch; got != wantDup {
				t.Fatalf("re-ingest: %d rejected, want %d", got, wantDup)
			}
		})
	}
}

func TestCrashAtRandomTimes(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 5; round++ {
		cmd := crashCmd(t, dir, "loop")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it start an ingest, then kill it somewhere inside one.
		sc := bufio.NewScanner(out)
		if !sc.Scan() {
			cmd.Wait()
			t.Fatalf("round %d: child exited before ingesting", round)
		}
		last, _ := strconv.Atoi(sc.Text()[len("ingest "):])
		time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for sc.Scan() {
			last, _ = strconv.Atoi(sc.Text()[len("ingest "):])
		}
		cmd.Wait()
		got := checkWhole(t, dir)
		t.Logf("round %d: killed during ingest %d, store holds %d", round, last, got)
	}
}
