package aggregate

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// Formats a result can be written in.
const (
	FormatTable   = "table"
	FormatCSV     = "csv"
	FormatJSON    = "json"
	FormatArrow   = "arrow"
	FormatParquet = "parquet"
)

// column kinds of the flat result table.
type colKind int

const (
	kString colKind = iota
	kInt64
	kUint64
	kFloat64
	kBool
)

type flatCol struct {
	name string
	kind colKind
}

// flat is a result as one row per published or suppressed item.
type flat struct {
	cols []flatCol
	rows [][]any // nil means null
}

func (r *Result) flatten() *flat {
	f := &flat{}
	for _, d := range r.By {
		f.cols = append(f.cols, flatCol{d, kString})
	}
	switch r.Stat {
	case StatCount:
		f.cols = append(f.cols, flatCol{"count", kInt64})
	case StatHistogram:
		f.cols = append(f.cols, flatCol{"lo", kUint64}, flatCol{"hi", kUint64}, flatCol{"count", kInt64})
	case StatQuantiles:
		f.cols = append(f.cols, flatCol{"count", kInt64}, flatCol{"q", kFloat64}, flatCol{"value", kFloat64}, flatCol{"error_bound", kFloat64}, flatCol{"top_coded", kBool})
	}
	f.cols = append(f.cols, flatCol{"suppressed", kString})
	if r.Noise != "" {
		f.cols = append(f.cols, flatCol{"noise", kString})
	}
	noise := r.noiseTag()
	row := func(c *Cell, vals ...any) {
		out := make([]any, 0, len(f.cols))
		for _, k := range c.Key {
			out = append(out, k)
		}
		out = append(out, vals...)
		if r.Noise != "" {
			out = append(out, noise)
		}
		f.rows = append(f.rows, out)
	}
	for i := range r.Cells {
		c := &r.Cells[i]
		switch {
		case r.Stat == StatCount:
			row(c, opt(c.Count), c.Suppressed)
		case r.Stat == StatHistogram && c.Suppressed != "":
			row(c, nil, nil, nil, c.Suppressed)
		case r.Stat == StatHistogram:
			for _, b := range c.Buckets {
				row(c, b.Lo, opt(b.Hi), opt(b.Count), b.Suppressed)
			}
		case r.Stat == StatQuantiles && c.Suppressed != "":
			row(c, nil, nil, nil, nil, nil, c.Suppressed)
		case r.Stat == StatQuantiles:
			for _, q := range c.Quantiles {
				row(c, opt(c.Count), q.Q, opt(q.Value), opt(q.ErrorBound), q.TopCoded, q.Suppressed)
			}
		}
	}
	return f
}

func (r *Result) noiseTag() string {
	if r.Noise == "" {
		return ""
	}
	return "laplace"
}

func opt[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		// Cents are far below any estimate's error bound; more digits
		// would only suggest a precision the buckets do not have.
		return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// notes are the lines that say how the result was protected.
func (r *Result) notes() []string {
	n := []string{fmt.Sprintf("cells and buckets with fewer than %d contributors are suppressed; attested rows need 3 employers, none above 80%%; the top bucket is top-coded", r.MinCell)}
	if r.Noise != "" {
		n = append(n, "differential privacy: "+r.Noise)
	}
	n = append(n, fmt.Sprintf("store generation %d, %d rows, state %s", r.Store.Generation, r.Store.Rows, r.Store.State))
	return n
}

// Write writes the result in format. Every format says, in its own way,
// whether counts carry noise. A nil mem means the default allocator.
func (r *Result) Write(w io.Writer, format string, mem memory.Allocator) error {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	switch format {
	case FormatJSON:
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case FormatCSV:
		f := r.flatten()
		cw := csv.NewWriter(w)
		hdr := make([]string, len(f.cols))
		for i, c := range f.cols {
			hdr[i] = c.name
		}
		cw.Write(hdr)
		for _, row := range f.rows {
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = cellText(v)
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case FormatTable, "":
		f := r.flatten()
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		hdr := make([]string, len(f.cols))
		for i, c := range f.cols {
			hdr[i] = strings.ToUpper(c.name)
		}
		fmt.Fprintln(tw, strings.Join(hdr, "\t"))
		for _, row := range f.rows {
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = cellText(v)
				if rec[i] == "" {
					rec[i] = "-"
				}
			}
			fmt.Fprintln(tw, strings.Join(rec, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, n := range r.notes() {
			if _, err := fmt.Fprintln(w, "# "+n); err != nil {
				return err
			}
		}
		return nil
	case FormatArrow, FormatParquet:
		rec := r.flatten().record(mem, r.notes())
		defer rec.Release()
		if format == FormatArrow {
			return writeArrowStream(w, rec, mem)
		}
		return writeParquet(w, rec, mem)
	}
	return fmt.Errorf("%w: unknown format %q (use table, csv, json, arrow or parquet)", ErrBadQuery, format)
}

func (f *flat) record(mem memory.Allocator, notes []string) arrow.Record {
	fields := make([]arrow.Field, len(f.cols))
	for i, c := range f.cols {
		var t arrow.DataType
		switch c.kind {
		case kString:
			t = arrow.BinaryTypes.String
		case kInt64:
			t = arrow.PrimitiveTypes.Int64
		case kUint64:
			t = arrow.PrimitiveTypes.Uint64
		case kFloat64:
			t = arrow.PrimitiveTypes.Float64
		case kBool:
			t = arrow.FixedWidthTypes.Boolean
		}
		fields[i] = arrow.Field{Name: c.name, Type: t, Nullable: true}
	}
	keys := make([]string, len(notes))
	for i := range notes {
		keys[i] = fmt.Sprintf("wageproof.note.%d", i)
	}
	schema := arrow.NewSchema(fields, ptr(arrow.NewMetadata(keys, notes)))
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, row := range f.rows {
		for i, v := range row {
			fb := b.Field(i)
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch x := v.(type) {
			case string:
				fb.(*array.StringBuilder).Append(x)
			case int64:
				fb.(*array.Int64Builder).Append(x)
			case uint64:
				fb.(*array.Uint64Builder).Append(x)
			case float64:
				fb.(*array.Float64Builder).Append(x)
			case bool:
				fb.(*array.BooleanBuilder).Append(x)
			}
		}
	}
	return b.NewRecord()
}

func writeArrowStream(w io.Writer, rec arrow.Record, mem memory.Allocator) error {
	iw := ipc.NewWriter(w, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	if err := iw.Write(rec); err != nil {
		iw.Close()
		return err
	}
	return iw.Close()
}

func parquetProps() (*parquet.WriterProperties, pqarrow.ArrowWriterProperties) {
	return parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithDictionaryDefault(true)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
}

func writeParquet(w io.Writer, rec arrow.Record, mem memory.Allocator) error {
	props, aprops := parquetProps()
	pw, err := pqarrow.NewFileWriter(rec.Schema(), struct{ io.Writer }{w}, props, aprops)
	if err != nil {
		return err
	}
	if err := pw.Write(rec); err != nil {
		pw.Close()
		return err
	}
	return pw.Close()
}
