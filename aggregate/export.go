package aggregate

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// Export streams every stored row, proofs included, in the full schema:
// format "parquet" (one row group per stored batch) or "arrow" (an IPC
// file). The output is also a valid ingest input: its proofs can be
// verified again anywhere. Export holds one batch in memory at a time.
func (s *Snapshot) Export(ctx context.Context, w io.Writer, format string) error {
	schema := FullSchema()
	var write func(arrow.Record) error
	var closeW func() error
	switch format {
	case FormatParquet:
		props, aprops := parquetProps()
		// The Parquet writer closes a writer that can be closed; the caller owns w.
		pw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{w}, props, aprops)
		if err != nil {
			return err
		}
		write, closeW = pw.Write, pw.Close
	case FormatArrow:
		ws, ok := w.(io.WriteSeeker)
		if !ok {
			return fmt.Errorf("%w: arrow export needs a file to write to", ErrBadQuery)
		}
		fw, err := ipc.NewFileWriter(ws, ipc.WithSchema(schema), ipc.WithAllocator(s.cfg.mem))
		if err != nil {
			return err
		}
		write, closeW = fw.Write, fw.Close
	default:
		return fmt.Errorf("%w: export format %q (use parquet or arrow)", ErrBadQuery, format)
	}
	err := s.scan(ctx, true, func(b *segBatch) error {
		cols := append(append([]arrow.Array(nil), b.rows.Columns()...), b.proofs.Columns()...)
		rec := array.NewRecord(schema, cols, b.rows.NumRows())
		defer rec.Release()
		return write(rec)
	})
	if cerr := closeW(); err == nil {
		err = cerr
	}
	return err
}
