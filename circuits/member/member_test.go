package member

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveLoad(t *testing.T) {
	id, err := New()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "member.json")
	if err := id.Save(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("identity file mode %v, want 0600", st.Mode().Perm())
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Secret().Cmp(id.Secret()) != 0 {
		t.Fatal("loaded secret differs")
	}
	if err := id.Save(path); err == nil {
		t.Fatal("Save overwrote an existing identity")
	}
}

func TestLoadRejectsCorruption(t *testing.T) {
	dir := t.TempDir()
	id, _ := FromSecret(big.NewInt(12345))
	c := id.Commitment()
	cases := map[string]string{
		"notjson":   "{",
		"version":   `{"version":2,"identity_secret":"12345","commitment":"` + c.String() + `"}`,
		"secret":    `{"version":1,"identity_secret":"12x","commitment":"` + c.String() + `"}`,
		"zero":      `{"version":1,"identity_secret":"0","commitment":"` + c.String() + `"}`,
		"mismatch":  `{"version":1,"identity_secret":"12346","commitment":"` + c.String() + `"}`,
		"atModulus": `{"version":1,"identity_secret":"21888242871839275222246405745257275088548364400416034343698204186575808495617","commitment":"1"}`,
	}
	for name, body := range cases {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		if _, err := Load(p); err == nil {
			t.Errorf("%s: Load accepted a bad file", name)
		}
	}
}

func TestSecretNeverFormatted(t *testing.T) {
	id, _ := FromSecret(big.NewInt(987654321987))
	for _, s := range []string{fmt.Sprint(id), fmt.Sprintf("%v %+v %#v %s", id, id, id, id)} {
		if strings.Contains(s, "987654321987") {
			t.Fatalf("formatting an identity printed its secret: %s", s)
		}
	}
}

func TestNullifiersSeparate(t *testing.T) {
	id, _ := FromSecret(big.NewInt(7))
	p := big.NewInt(202611)
	if id.Nullifier(p).Cmp(id.ClaimNullifier(p)) == 0 {
		t.Fatal("submission and claim nullifiers collide")
	}
	other, _ := FromSecret(big.NewInt(8))
	if id.Nullifier(p).Cmp(other.Nullifier(p)) == 0 {
		t.Fatal("two members share a nullifier")
	}
}
