package attester

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/google/renameio/v2"

	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
)

// SignedPayslip is a payslip with its attester's key and signature.
type SignedPayslip struct {
	Payslip
	Attester  PublicKey
	Signature Signature
}

// SignedOffer is an offer with its employer's key and signature.
type SignedOffer struct {
	Offer
	Attester  PublicKey
	Signature Signature
}

// SignPayslip signs p.
func (k *Key) SignPayslip(p Payslip) (*SignedPayslip, error) {
	m, err := p.Message()
	if err != nil {
		return nil, err
	}
	sig, err := k.Sign(m)
	if err != nil {
		return nil, err
	}
	return &SignedPayslip{Payslip: p, Attester: k.Public(), Signature: sig}, nil
}

// SignOffer signs o.
func (k *Key) SignOffer(o Offer) (*SignedOffer, error) {
	m, err := o.Message()
	if err != nil {
		return nil, err
	}
	sig, err := k.Sign(m)
	if err != nil {
		return nil, err
	}
	return &SignedOffer{Offer: o, Attester: k.Public(), Signature: sig}, nil
}

// Verify checks the payslip's signature natively.
func (s *SignedPayslip) Verify() error {
	m, err := s.Message()
	if err != nil {
		return err
	}
	return s.Attester.Verify(s.Signature, m)
}

// Verify checks the offer's signature natively.
func (s *SignedOffer) Verify() error {
	m, err := s.Message()
	if err != nil {
		return err
	}
	return s.Attester.Verify(s.Signature, m)
}

// The file formats. Amounts are JSON integers (exact for uint64 in Go);
// member is the decimal identity commitment, never the secret.
type payslipFile struct {
	Version   int    `json:"version"`
	Kind      string `json:"kind"` // "payslip"
	Salary    uint64 `json:"salary"`
	Currency  string `json:"currency"`
	Role      string `json:"role"`
	Region    string `json:"region"`
	Period    string `json:"period"`
	Member    string `json:"member"`
	Attester  string `json:"attester"`
	Signature string `json:"signature"`
}

type offerFile struct {
	Version   int    `json:"version"`
	Kind      string `json:"kind"` // "offer"
	OfferID   string `json:"offer_id"`
	Amount    uint64 `json:"amount"`
	Currency  string `json:"currency"`
	Role      string `json:"role"`
	Region    string `json:"region"`
	Expires   string `json:"expires"`
	Member    string `json:"member"`
	Attester  string `json:"attester"`
	Signature string `json:"signature"`
}

// Save writes the payslip with mode 0600: it shows the member's salary.
func (s *SignedPayslip) Save(path string) error {
	return save(path, payslipFile{
		Version: FileVersion, Kind: "payslip", Salary: s.Salary,
		Currency: s.Labels.Currency, Role: s.Labels.Role, Region: s.Labels.Region, Period: s.Labels.Period,
		Member: s.Member.String(), Attester: s.Attester.String(), Signature: s.Signature.String(),
	})
}

// Save writes the offer with mode 0600: it shows the offered amount.
func (s *SignedOffer) Save(path string) error {
	return save(path, offerFile{
		Version: FileVersion, Kind: "offer", OfferID: s.ID, Amount: s.Amount,
		Currency: s.Currency, Role: s.Role, Region: s.Region, Expires: s.Expires,
		Member: s.Member.String(), Attester: s.Attester.String(), Signature: s.Signature.String(),
	})
}

func save(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := renameio.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("attester: writing %s: %w", path, err)
	}
	return nil
}

func load(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("attester: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("attester: %s: %w", path, err)
	}
	return nil
}

func parseCommon(path, kind, wantKind string, version int, member, attester, signature string) (fr.Element, PublicKey, Signature, error) {
	if version != FileVersion || kind != wantKind {
		return fr.Element{}, PublicKey{}, Signature{}, fmt.Errorf("attester: %s is not a version %d %s file", path, FileVersion, wantKind)
	}
	m, err := registry.ParseElement(member)
	if err != nil {
		return m, PublicKey{}, Signature{}, fmt.Errorf("%w: %s: member: %w", ErrMessage, path, err)
	}
	pk, err := ParsePublicKey(attester)
	if err != nil {
		return m, pk, Signature{}, fmt.Errorf("%s: %w", path, err)
	}
	sig, err := ParseSignature(signature)
	if err != nil {
		return m, pk, sig, fmt.Errorf("%s: %w", path, err)
	}
	return m, pk, sig, nil
}

// LoadPayslip reads a payslip file and verifies its signature, so a tampered
// file is reported here rather than as a proof that cannot be made.
func LoadPayslip(path string) (*SignedPayslip, error) {
	var f payslipFile
	if err := load(path, &f); err != nil {
		return nil, err
	}
	m, pk, sig, err := parseCommon(path, f.Kind, "payslip", f.Version, f.Member, f.Attester, f.Signature)
	if err != nil {
		return nil, err
	}
	s := &SignedPayslip{
		Payslip:  Payslip{Salary: f.Salary, Labels: salary.Labels{Currency: f.Currency, Role: f.Role, Region: f.Region, Period: f.Period}, Member: m},
		Attester: pk, Signature: sig,
	}
	if err := s.Verify(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// LoadOffer reads an offer file and verifies its signature.
func LoadOffer(path string) (*SignedOffer, error) {
	var f offerFile
	if err := load(path, &f); err != nil {
		return nil, err
	}
	m, pk, sig, err := parseCommon(path, f.Kind, "offer", f.Version, f.Member, f.Attester, f.Signature)
	if err != nil {
		return nil, err
	}
	s := &SignedOffer{
		Offer: Offer{ID: f.OfferID, Amount: f.Amount, Currency: f.Currency, Role: f.Role, Region: f.Region,
			Expires: f.Expires, Member: m},
		Attester: pk, Signature: sig,
	}
	if err := s.Verify(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
