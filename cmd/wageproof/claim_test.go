package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wageproof/wageproof/aggregate"
)

// TestClaimRoundTrip walks issue 3 through the CLI: attester keys and
// registry, a signed offer, a claim proof, the pool; and checks that bad
// input fails with one line and leaves the pool unchanged.
func TestClaimRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup takes seconds")
	}
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	today := time.Now().UTC()

	me := strings.TrimSpace(mustCLI(t, "member", "new", "--out", p("me.json")))
	other := strings.TrimSpace(mustCLI(t, "member", "new", "--out", p("other.json")))
	mustCLI(t, "registry", "add", "--registry", p("members.json"), me, other)

	pk := strings.TrimSpace(mustCLI(t, "attester", "new", "--out", p("acme.json")))
	if st, err := os.Stat(p("acme.json")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v", err)
	}
	b, _ := os.ReadFile(p("acme.json"))
	if strings.Contains(mustCLI(t, "attester", "new", "--out", p("rogue.json")), string(b)) {
		t.Fatal("attester new printed private material")
	}
	mustCLI(t, "registry", "add", "--registry", p("attesters.json"), pk)
	if code, _, errOut := runCLI(t, "registry", "add", "--registry", p("attesters.json"), "0x1234"); code == 0 {
		t.Fatal("registry add accepted a malformed key")
	} else {
		oneErrorLine(t, errOut)
	}

	sign := func(key, out, amount, member, expires string) {
		mustCLI(t, "attester", "sign-offer", "--key", p(key), "--offer-id", "ACME-"+out, "--amount", amount,
			"--currency", "USD", "--role", "15-1252", "--region", "US-CA", "--expires", expires, "--member", member, "--out", p(out))
	}
	next := today.AddDate(0, 1, 0).Format(time.DateOnly)
	sign("acme.json", "offer.json", "90000", me, next)
	sign("acme.json", "equal.json", "100000", me, next)
	sign("acme.json", "expired.json", "90000", me, today.AddDate(0, 0, -3).Format(time.DateOnly))
	sign("acme.json", "toother.json", "90000", other, next)
	sign("rogue.json", "rogue-offer.json", "90000", me, next)

	period := today.Format("2006-01")
	if err := aggregate.NewBenchmarks(period, 0.25, []aggregate.BenchmarkEntry{
		{Currency: "USD", Role: "15-1252", Region: "US-CA", Amount: 100000},
	}).WriteFile(p("benchmarks.json")); err != nil {
		t.Fatal(err)
	}

	mustCLI(t, "setup", "--circuit", "offer", "--keys", p("keys"))
	mustCLI(t, "claim", "pool", "init", "--pool", p("pool"), "--members", p("members.json"), "--attesters", p("attesters.json"), "--benchmarks", p("benchmarks.json"))

	proveArgs := func(offer, out string) []string {
		return []string{"prove", "offer", "--keys", p("keys"), "--member", p("me.json"), "--registry", p("members.json"),
			"--offer", p(offer), "--benchmarks", p("benchmarks.json"), "--out", p(out)}
	}
	mustCLI(t, proveArgs("offer.json", "claim.json")...)
	mustCLI(t, proveArgs("rogue-offer.json", "rogue-claim.json")...)
	for name, offer := range map[string]string{"equal to benchmark": "equal.json", "expired": "expired.json", "made to another member": "toother.json"} {
		code, _, errOut := runCLI(t, proveArgs(offer, "x.json")...)
		if code == 0 {
			t.Errorf("%s: proved", name)
		}
		oneErrorLine(t, errOut)
	}
	// An altered offer file fails its signature check.
	ob, _ := os.ReadFile(p("offer.json"))
	os.WriteFile(p("altered.json"), []byte(strings.Replace(string(ob), `"amount": 90000`, `"amount": 80000`, 1)), 0o600)
	if code, _, errOut := runCLI(t, proveArgs("altered.json", "x.json")...); code == 0 || !strings.Contains(errOut, "signature") {
		t.Errorf("altered offer: exit %d, %q", code, errOut)
	}

	submit := func(file string) (int, string) {
		code, _, errOut := runCLI(t, "claim", "submit", "--pool", p("pool"), "--keys", p("keys"), p(file))
		return code, errOut
	}
	if code, errOut := submit("claim.json"); code != 0 {
		t.Fatalf("valid claim: %s", errOut)
	}
	list := mustCLI(t, "claim", "list", "--pool", p("pool"))
	for _, tc := range []struct{ file, want string }{
		{"claim.json", "nullifier already used"},
		{"rogue-claim.json", "not a registered attester"},
		{"benchmarks.json", "claim rejected"},
		{"missing.json", "no such file"},
	} {
		code, errOut := submit(tc.file)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("submit %s: exit %d, %q; want %q", tc.file, code, errOut, tc.want)
		}
		oneErrorLine(t, errOut)
	}
	if got := mustCLI(t, "claim", "list", "--pool", p("pool")); got != list || strings.Count(got, "\n") != 2 {
		t.Fatalf("pool changed by rejected claims:\n%s\nwas\n%s", got, list)
	}
	if out := mustCLI(t, "claim", "employers", "--pool", p("pool")); !strings.Contains(out, "at least 3") {
		t.Fatalf("employers: %q", out)
	}
}
