package aggregate

import (
	"fmt"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Column names. A segment is two Arrow IPC files with the same row order: the
// rows file (what queries read) and the proofs file (what audits read), so a
// group-by never pages in proof bytes.
const (
	ColCommitment     = "commitment"
	ColLo             = "lo"
	ColHi             = "hi"
	ColCurrency       = "currency"
	ColRole           = "role"
	ColRegion         = "region"
	ColPeriod         = "period"
	ColAttested       = "attested"
	ColAttesterRoot   = "attester_root"
	ColEmployer       = "employer"
	ColMemberRoot     = "member_root"
	ColNullifier      = "nullifier"
	ColIngestTime     = "ingest_time"
	ColCircuit        = "circuit"
	ColCircuitVersion = "circuit_version"
	ColBackend        = "backend"
	ColCurve          = "curve"
	ColVKSHA256       = "vk_sha256"
	ColProof          = "proof"
)

// Column positions in the rows and proofs schemas.
const (
	iCommitment = iota
	iLo
	iHi
	iCurrency
	iRole
	iRegion
	iPeriod
	iAttested
	iAttesterRoot
	iEmployer
	iMemberRoot
	iNullifier
	iIngestTime
)

const (
	iCircuit = iota
	iCircuitVersion
	iBackend
	iCurve
	iVKSHA256
	iProof
)

var (
	fieldType = &arrow.FixedSizeBinaryType{ByteWidth: 32}
	timeType  = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
)

func rowFields() []arrow.Field {
	return []arrow.Field{
		{Name: ColCommitment, Type: fieldType},
		{Name: ColLo, Type: arrow.PrimitiveTypes.Uint64},
		{Name: ColHi, Type: arrow.PrimitiveTypes.Uint64},
		{Name: ColCurrency, Type: arrow.BinaryTypes.String},
		{Name: ColRole, Type: arrow.BinaryTypes.String},
		{Name: ColRegion, Type: arrow.BinaryTypes.String},
		{Name: ColPeriod, Type: arrow.BinaryTypes.String},
		{Name: ColAttested, Type: arrow.FixedWidthTypes.Boolean},
		{Name: ColAttesterRoot, Type: fieldType, Nullable: true},
		{Name: ColEmployer, Type: fieldType, Nullable: true},
		{Name: ColMemberRoot, Type: fieldType},
		{Name: ColNullifier, Type: fieldType},
		{Name: ColIngestTime, Type: timeType},
	}
}

func proofFields() []arrow.Field {
	return []arrow.Field{
		{Name: ColCircuit, Type: arrow.BinaryTypes.String},
		{Name: ColCircuitVersion, Type: arrow.PrimitiveTypes.Int32},
		{Name: ColBackend, Type: arrow.BinaryTypes.String},
		{Name: ColCurve, Type: arrow.BinaryTypes.String},
		{Name: ColVKSHA256, Type: arrow.BinaryTypes.String},
		{Name: ColProof, Type: arrow.BinaryTypes.Binary},
	}
}

func schemaMeta() arrow.Metadata {
	return arrow.NewMetadata([]string{"wageproof.format"}, []string{"1"})
}

// RowsSchema is the schema of a segment's rows file.
func RowsSchema() *arrow.Schema { return arrow.NewSchema(rowFields(), ptr(schemaMeta())) }

// ProofsSchema is the schema of a segment's proofs file.
func ProofsSchema() *arrow.Schema { return arrow.NewSchema(proofFields(), ptr(schemaMeta())) }

// FullSchema is the schema of exports and of bulk envelope files: the rows
// columns followed by the proofs columns.
func FullSchema() *arrow.Schema {
	return arrow.NewSchema(append(rowFields(), proofFields()...), ptr(schemaMeta()))
}

func ptr[T any](v T) *T { return &v }

// rowBuilder accumulates rows into a pair of records.
type rowBuilder struct {
	rows, proofs *array.RecordBuilder
	n            int
}

func newRowBuilder(mem memory.Allocator) *rowBuilder {
	return &rowBuilder{
		rows:   array.NewRecordBuilder(mem, RowsSchema()),
		proofs: array.NewRecordBuilder(mem, ProofsSchema()),
	}
}

func (b *rowBuilder) Release() {
	b.rows.Release()
	b.proofs.Release()
}

func (b *rowBuilder) Len() int { return b.n }

func appendField(fb *array.FixedSizeBinaryBuilder, f Field) { fb.Append(f[:]) }

func (b *rowBuilder) Append(r *Row) {
	rb, pb := b.rows, b.proofs
	appendField(rb.Field(iCommitment).(*array.FixedSizeBinaryBuilder), r.Commitment)
	rb.Field(iLo).(*array.Uint64Builder).Append(r.Lo)
	rb.Field(iHi).(*array.Uint64Builder).Append(r.Hi)
	rb.Field(iCurrency).(*array.StringBuilder).Append(r.Currency)
	rb.Field(iRole).(*array.StringBuilder).Append(r.Role)
	rb.Field(iRegion).(*array.StringBuilder).Append(r.Region)
	rb.Field(iPeriod).(*array.StringBuilder).Append(r.Period)
	rb.Field(iAttested).(*array.BooleanBuilder).Append(r.Attested)
	ar := rb.Field(iAttesterRoot).(*array.FixedSizeBinaryBuilder)
	em := rb.Field(iEmployer).(*array.FixedSizeBinaryBuilder)
	if r.Attested {
		appendField(ar, r.AttesterRoot)
		appendField(em, r.Employer)
	} else {
		ar.AppendNull()
		em.AppendNull()
	}
	appendField(rb.Field(iMemberRoot).(*array.FixedSizeBinaryBuilder), r.MemberRoot)
	appendField(rb.Field(iNullifier).(*array.FixedSizeBinaryBuilder), r.Nullifier)
	rb.Field(iIngestTime).(*array.TimestampBuilder).Append(arrow.Timestamp(r.IngestTime.UnixMicro()))

	pb.Field(iCircuit).(*array.StringBuilder).Append(r.Proof.Circuit)
	pb.Field(iCircuitVersion).(*array.Int32Builder).Append(int32(r.Proof.CircuitVersion))
	pb.Field(iBackend).(*array.StringBuilder).Append(r.Proof.Backend)
	pb.Field(iCurve).(*array.StringBuilder).Append(r.Proof.Curve)
	pb.Field(iVKSHA256).(*array.StringBuilder).Append(r.Proof.VKSHA256)
	pb.Field(iProof).(*array.BinaryBuilder).Append(r.Proof.Bytes)
	b.n++
}

// NewRecords returns the accumulated rows and resets the builder. The caller
// releases both records.
func (b *rowBuilder) NewRecords() (rows, proofs arrow.Record) {
	b.n = 0
	return b.rows.NewRecord(), b.proofs.NewRecord()
}

// rowColumns gives typed access to the columns of a record that holds the
// rows columns (a rows file record or a full record).
type rowColumns struct {
	commitment, attesterRoot, employer, memberRoot, nullifier *array.FixedSizeBinary
	lo, hi                                                    *array.Uint64
	currency, role, region, period                            *array.String
	attested                                                  *array.Boolean
	ingestTime                                                *array.Timestamp // nil in bulk files without it
}

type proofColumns struct {
	circuit, backend, curve, vk *array.String
	version                     *array.Int32
	proof                       *array.Binary
}

// column finds a column by name and checks its type.
func column[T arrow.Array](rec arrow.Record, name string, optional bool) (T, error) {
	var zero T
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		if optional {
			return zero, nil
		}
		return zero, fmt.Errorf("%w: column %q is missing", ErrCorrupt, name)
	}
	a, ok := rec.Column(idx[0]).(T)
	if !ok {
		return zero, fmt.Errorf("%w: column %q has type %s", ErrCorrupt, name, rec.Column(idx[0]).DataType())
	}
	if fsb, ok := any(a).(*array.FixedSizeBinary); ok && fsb.DataType().(*arrow.FixedSizeBinaryType).ByteWidth != 32 {
		return zero, fmt.Errorf("%w: column %q is not 32 bytes wide", ErrCorrupt, name)
	}
	return a, nil
}

func getRowColumns(rec arrow.Record) (*rowColumns, error) {
	var c rowColumns
	var err error
	set := func(dst any, name string, optional bool) {
		if err != nil {
			return
		}
		switch d := dst.(type) {
		case **array.FixedSizeBinary:
			*d, err = column[*array.FixedSizeBinary](rec, name, optional)
		case **array.Uint64:
			*d, err = column[*array.Uint64](rec, name, optional)
		case **array.String:
			*d, err = column[*array.String](rec, name, optional)
		case **array.Boolean:
			*d, err = column[*array.Boolean](rec, name, optional)
		case **array.Timestamp:
			*d, err = column[*array.Timestamp](rec, name, optional)
		}
	}
	set(&c.commitment, ColCommitment, false)
	set(&c.lo, ColLo, false)
	set(&c.hi, ColHi, false)
	set(&c.currency, ColCurrency, false)
	set(&c.role, ColRole, false)
	set(&c.region, ColRegion, false)
	set(&c.period, ColPeriod, false)
	set(&c.attested, ColAttested, false)
	set(&c.attesterRoot, ColAttesterRoot, false)
	set(&c.employer, ColEmployer, false)
	set(&c.memberRoot, ColMemberRoot, false)
	set(&c.nullifier, ColNullifier, false)
	set(&c.ingestTime, ColIngestTime, true)
	return &c, err
}

func getProofColumns(rec arrow.Record) (*proofColumns, error) {
	var c proofColumns
	var err error
	if c.circuit, err = column[*array.String](rec, ColCircuit, false); err != nil {
		return nil, err
	}
	if c.version, err = column[*array.Int32](rec, ColCircuitVersion, false); err != nil {
		return nil, err
	}
	if c.backend, err = column[*array.String](rec, ColBackend, false); err != nil {
		return nil, err
	}
	if c.curve, err = column[*array.String](rec, ColCurve, false); err != nil {
		return nil, err
	}
	if c.vk, err = column[*array.String](rec, ColVKSHA256, false); err != nil {
		return nil, err
	}
	if c.proof, err = column[*array.Binary](rec, ColProof, false); err != nil {
		return nil, err
	}
	return &c, nil
}

func fieldAt(a *array.FixedSizeBinary, i int) Field {
	var f Field
	if a.IsValid(i) {
		copy(f[:], a.Value(i))
	}
	return f
}

// row materialises row i. Strings and proof bytes are copied: the row
// outlives the record.
func (c *rowColumns) row(i int, p *proofColumns) Row {
	r := Row{
		Commitment: fieldAt(c.commitment, i),
		Lo:         c.lo.Value(i),
		Hi:         c.hi.Value(i),
		Currency:   clone(c.currency.Value(i)),
		Role:       clone(c.role.Value(i)),
		Region:     clone(c.region.Value(i)),
		Period:     clone(c.period.Value(i)),
		Attested:   c.attested.Value(i),
		MemberRoot: fieldAt(c.memberRoot, i),
		Nullifier:  fieldAt(c.nullifier, i),
	}
	if r.Attested {
		r.AttesterRoot = fieldAt(c.attesterRoot, i)
		r.Employer = fieldAt(c.employer, i)
	}
	if c.ingestTime != nil {
		r.IngestTime = time.UnixMicro(int64(c.ingestTime.Value(i))).UTC()
	}
	if p != nil {
		r.Proof = ProofMeta{
			Circuit:        clone(p.circuit.Value(i)),
			CircuitVersion: int(p.version.Value(i)),
			Backend:        clone(p.backend.Value(i)),
			Curve:          clone(p.curve.Value(i)),
			VKSHA256:       clone(p.vk.Value(i)),
			Bytes:          append([]byte(nil), p.proof.Value(i)...),
		}
	}
	return r
}

func clone(s string) string { return string(append([]byte(nil), s...)) }
