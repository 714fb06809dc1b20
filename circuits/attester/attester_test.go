package attester

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"

	"github.com/wageproof/wageproof/circuits/hashing"
	"github.com/wageproof/wageproof/circuits/salary"
)

func mustKey(t testing.TB) *Key {
	t.Helper()
	k, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestChallengeHashIsDomainHash(t *testing.T) {
	var xs [5]fr.Element
	h := challengeHash()
	for i := range xs {
		xs[i].SetUint64(uint64(1000 + i))
		b := xs[i].Bytes()
		h.Write(b[:])
	}
	want := hashing.Hash(DomainSignature, xs[:]...)
	var got fr.Element
	got.SetBytes(h.Sum(nil))
	if !got.Equal(&want) {
		t.Fatal("native challenge hash differs from hashing.Hash with DomainSignature")
	}
}

func TestSignVerify(t *testing.T) {
	k := mustKey(t)
	var msg fr.Element
	msg.SetUint64(42)
	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Public().Verify(sig, msg); err != nil {
		t.Fatal(err)
	}
	back, err := ParseSignature(sig.String())
	if err != nil || back.String() != sig.String() {
		t.Fatalf("signature text round trip: %v", err)
	}
	other := msg
	other.SetUint64(43)
	if err := k.Public().Verify(sig, other); err == nil {
		t.Fatal("signature verified on another message")
	}
	if err := mustKey(t).Public().Verify(sig, msg); err == nil {
		t.Fatal("signature verified under another key")
	}
	// S + order: the same point equation, rejected as non-canonical.
	forged := sig.Bytes()
	s := new(big.Int).SetBytes(forged[32:])
	curve := twistededwards.GetEdwardsCurve()
	s.Add(s, &curve.Order)
	s.FillBytes(forged[32:])
	if _, err := ParseSignature("0x" + strings.TrimPrefix(hexOf(forged), "0x")); err == nil {
		t.Fatal("S >= order accepted")
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2+2*len(b))
	out = append(out, '0', 'x')
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestParsePublicKey(t *testing.T) {
	k := mustKey(t)
	s := k.Public().String()
	back, err := ParsePublicKey(s)
	if err != nil || back.String() != s || !IsPublicKeyText(s) {
		t.Fatalf("round trip: %v", err)
	}
	if back.Leaf() != k.Public().Leaf() {
		t.Fatal("leaf changed on round trip")
	}
	var identity twistededwards.PointAffine
	identity.X.SetZero()
	identity.Y.SetOne()
	idb := identity.Bytes()
	for name, bad := range map[string]string{
		"decimal":  "12345",
		"short":    "0x1234",
		"nothex":   "0x" + strings.Repeat("zz", 32),
		"identity": hexOf(idb[:]),
		"y>=p":     "0x" + strings.Repeat("ff", 31) + "3f",
	} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("%s: accepted %s", name, bad)
		}
	}
}

func TestKeyFile(t *testing.T) {
	k := mustKey(t)
	path := filepath.Join(t.TempDir(), "employer.json")
	if err := k.Save(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Public().String() != k.Public().String() {
		t.Fatal("loaded key differs")
	}
	if err := k.Save(path); err == nil {
		t.Fatal("Save overwrote a key")
	}
	if strings.Contains(k.String(), "private") || strings.Contains(k.GoString(), "scalar") {
		t.Fatal("String shows private material")
	}
	b, _ := os.ReadFile(path)
	other := mustKey(t)
	bad := strings.Replace(string(b), k.Public().String(), other.Public().String(), 1)
	p2 := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(p2, []byte(bad), 0o600)
	if _, err := Load(p2); err == nil {
		t.Fatal("Load accepted a key file whose public key does not match")
	}
}

func TestOfferID(t *testing.T) {
	a, err := OfferID("ACME-2026-0042")
	if err != nil {
		t.Fatal(err)
	}
	if a.BitLen() > OfferIDBits {
		t.Fatalf("offer id has %d bits", a.BitLen())
	}
	b, _ := OfferID("ACME-2026-0043")
	if a.Cmp(b) == 0 {
		t.Fatal("distinct ids share an encoding")
	}
	for _, bad := range []string{"", " x", "a b", strings.Repeat("x", MaxOfferIDLen+1), "é"} {
		if _, err := OfferID(bad); err == nil {
			t.Errorf("accepted offer id %q", bad)
		}
	}
}

func testOffer(member fr.Element) Offer {
	return Offer{ID: "ACME-2026-0042", Amount: 90000, Currency: "USD", Role: "15-1252", Region: "US-CA", Expires: "2026-12-31", Member: member}
}

func TestSignedFiles(t *testing.T) {
	k := mustKey(t)
	var member fr.Element
	member.SetUint64(777)
	dir := t.TempDir()

	ps, err := k.SignPayslip(Payslip{Salary: 123456, Labels: salary.Labels{Currency: "usd", Role: "15-1252", Region: "US-CA", Period: "2026-11"}, Member: member})
	if err != nil {
		t.Fatal(err)
	}
	pp := filepath.Join(dir, "payslip.json")
	if err := ps.Save(pp); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadPayslip(pp); err != nil || got.Salary != 123456 {
		t.Fatalf("LoadPayslip: %v", err)
	}

	of, err := k.SignOffer(testOffer(member))
	if err != nil {
		t.Fatal(err)
	}
	op := filepath.Join(dir, "offer.json")
	if err := of.Save(op); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOffer(op); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(op)
	if strings.Contains(string(b), "secret") {
		t.Fatal("offer file mentions a secret")
	}
	// Altered amount: the signature no longer matches.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(strings.Replace(string(b), `"amount": 90000`, `"amount": 90001`, 1)), 0o600)
	if _, err := LoadOffer(bad); err == nil {
		t.Fatal("altered offer accepted")
	}
	// A payslip is not an offer.
	if _, err := LoadOffer(pp); err == nil {
		t.Fatal("payslip accepted as an offer")
	}
}

// sigCircuit checks one signature with the gadget, to test that native
// signing and in-circuit verification agree.
type sigCircuit struct {
	Key KeyVar
	Sig SignatureVar
	Msg frontend.Variable `gnark:",public"`
}

func (c *sigCircuit) Define(api frontend.API) error {
	v, err := NewVerifier(api)
	if err != nil {
		return err
	}
	return v.Verify(c.Key, c.Sig, c.Msg)
}

func TestCircuitAgreesWithNative(t *testing.T) {
	assert := test.NewAssert(t)
	k := mustKey(t)
	var msg fr.Element
	msg.SetUint64(987654321)
	sig, err := k.Sign(msg)
	assert.NoError(err)
	valid := &sigCircuit{Key: AssignKey(k.Public()), Sig: AssignSignature(sig), Msg: msg.BigInt(new(big.Int))}

	curve := twistededwards.GetEdwardsCurve()
	order := &curve.Order
	invalid := map[string]*sigCircuit{}
	add := func(name string, f func(c *sigCircuit)) {
		c := *valid
		f(&c)
		invalid[name] = &c
	}
	add("message altered", func(c *sigCircuit) { c.Msg = new(big.Int).Add(msg.BigInt(new(big.Int)), big.NewInt(1)) })
	add("S altered", func(c *sigCircuit) { c.Sig.S = new(big.Int).Add(sig.S.BigInt(new(big.Int)), big.NewInt(1)) })
	add("S plus order", func(c *sigCircuit) { c.Sig.S = new(big.Int).Add(sig.S.BigInt(new(big.Int)), order) })
	add("R altered", func(c *sigCircuit) {
		var r twistededwards.PointAffine
		r.Double(&sig.R)
		c.Sig.R.X, c.Sig.R.Y = r.X.BigInt(new(big.Int)), r.Y.BigInt(new(big.Int))
	})
	add("R off curve", func(c *sigCircuit) { c.Sig.R.X = new(big.Int).Add(sig.R.X.BigInt(new(big.Int)), big.NewInt(1)) })
	add("other key", func(c *sigCircuit) { c.Key = AssignKey(mustKey(t).Public()) })
	add("key off curve", func(c *sigCircuit) {
		pk := k.Public()
		c.Key.A.Y = new(big.Int).Add(pk.A.Y.BigInt(new(big.Int)), big.NewInt(1))
	})

	opts := []test.TestingOption{test.WithValidAssignment(valid), test.WithCurves(ecc.BN254), test.WithBackends(backend.GROTH16)}
	for _, c := range invalid {
		opts = append(opts, test.WithInvalidAssignment(c))
	}
	assert.CheckCircuit(&sigCircuit{}, opts...)
	for name, c := range invalid {
		if err := test.IsSolved(&sigCircuit{}, c, ecc.BN254.ScalarField()); err == nil {
			t.Errorf("%s: solved", name)
		}
	}
}
