package aggregate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover/provertest"
	"github.com/wageproof/wageproof/verifier"
)

// proofDir writes real envelopes to files: members 0-3 valid, member 0
// again (a second submission in the period), a forged bucket, a malformed
// file, and a JSON-lines file holding member 4 and a broken line.
func proofDir(t *testing.T) (dir string, env *provertest.Env) {
	t.Helper()
	env = provertest.Salary(t)
	dir = t.TempDir()
	write := func(name string, e *verifier.Envelope) {
		b, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, pay := range []uint64{81000, 95500, 120000, 64000} {
		write(filepath.Join("p"+string(rune('0'+i))+".json"), env.Prove(t, i, pay, provertest.Labels))
	}
	write("q-second.json", env.Prove(t, 0, 99000, provertest.Labels))
	forged := env.Prove(t, 5, 70000, provertest.Labels)
	forged.Public["lo"], forged.Public["hi"] = "100000", "105000"
	write("r-forged.json", forged)
	os.WriteFile(filepath.Join(dir, "s-malformed.json"), []byte(`{"version":1,"circuit":`), 0o644)
	line, _ := env.Prove(t, 4, 150000, provertest.Labels).Marshal()
	jl := append(bytes.ReplaceAll(bytes.TrimSpace(line), []byte("\n"), nil), []byte("\nnot json\n")...)
	os.WriteFile(filepath.Join(dir, "t-batch.jsonl"), jl, 0o644)
	return dir, env
}

func TestIngestVerifiesAndRejects(t *testing.T) {
	mem := checkedMem(t)
	proofs, env := proofDir(t)
	store := t.TempDir()
	st, err := Open(store, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	var rejected []Rejection
	rep, err := st.Ingest(context.Background(), Paths([]string{proofs}, nil, WithAllocator(mem)), IngestOptions{
		Verifier: verifier.OpenKeyring(env.Keys),
		OnReject: func(r Rejection) { rejected = append(rejected, r) },
	})
	st.Close()
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("ingest: err %v, want ErrRejected", err)
	}
	if rep.Read != 9 || rep.Accepted != 5 || rep.Rejected != 4 {
		t.Fatalf("report %s", rep.Summary())
	}
	want := map[string]string{
		"q-second.json":    "duplicate nullifier",
		"r-forged.json":    "invalid proof",
		"s-malformed.json": "malformed",
		"t-batch.jsonl:2":  "malformed",
	}
	for _, r := range rejected {
		if c, ok := want[filepath.Base(r.Source)]; !ok || c != r.Class {
			t.Errorf("rejection %s (%s), want class %q", r, r.Class, c)
		}
	}
	if len(rejected) != len(want) {
		t.Errorf("%d rejections, want %d", len(rejected), len(want))
	}
	// No output carries a salary; the store holds only buckets.
	rows := allRows(t, store, WithAllocator(mem))
	if len(rows) != 5 || rows[0].Lo != 80000 || rows[0].Hi != 85000 || rows[0].Role != "15-1252" {
		t.Fatalf("stored rows %+v", rows)
	}

	rep2, err := Audit(context.Background(), store, AuditOptions{Verifier: verifier.OpenKeyring(env.Keys)}, WithAllocator(mem))
	if err != nil || rep2.Verified != 5 {
		t.Fatalf("audit: %v %+v", err, rep2)
	}
}

func TestIngestStrictCommitsNothing(t *testing.T) {
	proofs, env := proofDir(t)
	store := t.TempDir()
	st, err := Open(store)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = st.Ingest(context.Background(), Paths([]string{proofs}, nil), IngestOptions{Verifier: verifier.OpenKeyring(env.Keys), Strict: true})
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("err %v", err)
	}
	if st.Manifest().Rows != 0 {
		t.Fatalf("strict ingest stored %d rows", st.Manifest().Rows)
	}
}

func TestIngestUnreadableInputChangesNothing(t *testing.T) {
	proofs, env := proofDir(t)
	// A truncated Arrow file after good proofs: the whole ingest fails.
	bad := filepath.Join(t.TempDir(), "z.arrow")
	os.WriteFile(bad, []byte("ARROW1\x00\x00garbage"), 0o644)
	store := t.TempDir()
	st, err := Open(store)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = st.Ingest(context.Background(), Paths([]string{proofs, bad}, nil), IngestOptions{Verifier: verifier.OpenKeyring(env.Keys)})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err %v, want ErrCorrupt", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("error is not one line: %q", err)
	}
	if st.Manifest().Rows != 0 {
		t.Fatal("rows stored from a failed ingest")
	}
	ents, _ := os.ReadDir(filepath.Join(store, SegmentsDir))
	if len(ents) != 0 {
		t.Fatalf("%d segment files left behind", len(ents))
	}
	// The nullifiers of the failed ingest are free.
	rep, err := st.Ingest(context.Background(), Paths([]string{proofs}, nil), IngestOptions{Verifier: verifier.OpenKeyring(env.Keys)})
	if rep == nil || rep.Accepted != 5 {
		t.Fatalf("re-ingest: %v %v", rep, err)
	}
}

func TestExportRoundTrip(t *testing.T) {
	proofs, env := proofDir(t)
	mem := checkedMem(t)
	store := t.TempDir()
	st, _ := Open(store, WithAllocator(mem))
	st.Ingest(context.Background(), Paths([]string{proofs}, nil), IngestOptions{Verifier: verifier.OpenKeyring(env.Keys)})
	st.Close()
	want := allRows(t, store, WithAllocator(mem))
	for _, format := range []string{FormatParquet, FormatArrow} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "pay."+format)
			f, err := os.Create(out)
			if err != nil {
				t.Fatal(err)
			}
			snap, _ := OpenSnapshot(store, WithAllocator(mem))
			if err := snap.Export(context.Background(), f, format); err != nil {
				t.Fatal(err)
			}
			f.Close()
			// The export is an ingest input: every proof verifies again.
			other := t.TempDir()
			st2, _ := Open(other, WithAllocator(mem))
			rep, err := st2.Ingest(context.Background(), Paths([]string{out}, nil, WithAllocator(mem)), IngestOptions{Verifier: verifier.OpenKeyring(env.Keys)})
			st2.Close()
			if err != nil || rep.Accepted != int64(len(want)) {
				t.Fatalf("re-ingest of the export: %v %+v", err, rep)
			}
			got := allRows(t, other, WithAllocator(mem))
			for i := range want {
				if got[i].Nullifier != want[i].Nullifier || got[i].Commitment != want[i].Commitment || !bytes.Equal(got[i].Proof.Bytes, want[i].Proof.Bytes) {
					t.Fatalf("row %d differs after the round trip", i)
				}
			}
		})
	}
}

func TestAuditFindsTampering(t *testing.T) {
	store := t.TempDir()
	ingestRows(t, store, Synthetic{Seed: 1}.Rows(0, 10))
	snap, _ := OpenSnapshot(store)
	p := filepath.Join(store, snap.Manifest.Segments[0].RowsFile)
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 1
	os.WriteFile(p, b, 0o644)
	if _, err := Audit(context.Background(), store, AuditOptions{Verifier: verifier.OpenKeyring(t.TempDir())}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("audit of a tampered segment: %v", err)
	}
}

func TestRowEnvelopeRoundTrip(t *testing.T) {
	env := provertest.Salary(t)
	e := env.Prove(t, 6, 42000, salary.Labels{Currency: "EUR", Role: "29-1141", Region: "DE-BY", Period: "2026-10"})
	r, err := RowFromEnvelope(e, testNow)
	if err != nil {
		t.Fatal(err)
	}
	back, err := r.Envelope()
	if err != nil {
		t.Fatal(err)
	}
	if err := verifier.OpenKeyring(env.Keys).Verify(back); err != nil {
		t.Fatalf("rebuilt envelope does not verify: %v", err)
	}
	e.Circuit = "offer"
	if _, err := RowFromEnvelope(e, testNow); !errors.Is(err, ErrBadRow) {
		t.Fatalf("offer envelope accepted as a row: %v", err)
	}
}
