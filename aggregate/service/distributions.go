package service

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/wageproof/wageproof/aggregate"
)

// Media types of the distribution formats.
var formatTypes = map[string]string{
	aggregate.FormatJSON:    "application/json",
	aggregate.FormatCSV:     "text/csv; charset=utf-8",
	aggregate.FormatArrow:   "application/vnd.apache.arrow.stream",
	aggregate.FormatParquet: "application/vnd.apache.parquet",
}

// negotiate picks the output format: the format parameter if given, else
// the first media type in Accept that the service makes, else JSON.
func negotiate(r *http.Request) (string, error) {
	if f := r.URL.Query().Get("format"); f != "" {
		if _, ok := formatTypes[f]; !ok {
			return "", newError(http.StatusBadRequest, CodeBadQuery, "format %q: use json, csv, arrow or parquet", f)
		}
		return f, nil
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json", "*/*", "application/*":
			return aggregate.FormatJSON, nil
		case "text/csv":
			return aggregate.FormatCSV, nil
		case "application/vnd.apache.arrow.stream":
			return aggregate.FormatArrow, nil
		case "application/vnd.apache.parquet", "application/x-parquet":
			return aggregate.FormatParquet, nil
		}
	}
	return aggregate.FormatJSON, nil
}

// parseQuery reads the same parameters as `wageproof query`, and holds them
// to the service's disclosure floor.
func (s *Server) parseQuery(v url.Values) (aggregate.Query, error) {
	bad := func(format string, args ...any) (aggregate.Query, error) {
		return aggregate.Query{}, newError(http.StatusBadRequest, CodeBadQuery, format, args...)
	}
	q := aggregate.Query{Period: v.Get("period"), Stat: aggregate.StatCount, MinCell: s.cfg.MinCell}
	for _, d := range strings.Split(v.Get("by"), ",") {
		if d = strings.TrimSpace(d); d != "" {
			q.By = append(q.By, d)
		}
	}
	if st := v.Get("stat"); st != "" {
		q.Stat = aggregate.Stat(st)
	}
	if a := v.Get("attested_only"); a != "" {
		b, err := strconv.ParseBool(a)
		if err != nil {
			return bad("attested_only %q is not a boolean", a)
		}
		q.AttestedOnly = b
	}
	if m := v.Get("min_cell"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil {
			return bad("min_cell %q is not a number", m)
		}
		if n < s.cfg.MinCell {
			return bad("min_cell %d is below this service's floor of %d", n, s.cfg.MinCell)
		}
		q.MinCell = n
	}
	if e := v.Get("epsilon"); e != "" {
		f, err := strconv.ParseFloat(e, 64)
		if err != nil || !(f > 0) {
			return bad("epsilon %q is not a positive number", e)
		}
		q.Epsilon = f
	}
	if s.cfg.Epsilon > 0 && (q.Epsilon == 0 || q.Epsilon > s.cfg.Epsilon) {
		// The service's budget is a ceiling: less noise than it allows is
		// not on offer.
		q.Epsilon = s.cfg.Epsilon
	}
	if qs := v.Get("quantiles"); qs != "" {
		if q.Stat != aggregate.StatQuantiles {
			return bad("quantiles is only for stat=quantiles")
		}
		for _, p := range strings.Split(qs, ",") {
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return bad("quantile %q is not a number", p)
			}
			q.Quantiles = append(q.Quantiles, f)
		}
		if len(q.Quantiles) > 99 {
			return bad("at most 99 quantiles")
		}
	}
	return q, nil
}

func (s *Server) distributions(w http.ResponseWriter, r *http.Request) error {
	format, err := negotiate(r)
	if err != nil {
		return err
	}
	q, err := s.parseQuery(r.URL.Query())
	if err != nil {
		return err
	}
	snap := s.snapshot()
	res, err := snap.Run(r.Context(), q)
	if err != nil {
		return err
	}
	// Results are small: render fully first, so a failure is still a clean
	// JSON error rather than a cut-off body.
	var buf bytes.Buffer
	if err := res.Write(&buf, format, memory.DefaultAllocator); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", formatTypes[format])
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Vary", "Accept")
	h.Set("ETag", fmt.Sprintf("%q", snap.Manifest.State))
	h.Set("X-Wageproof-Store-State", snap.Manifest.State)
	if res.Noise != "" {
		h.Set("X-Wageproof-Noise", res.Noise)
	}
	if format != aggregate.FormatJSON && format != aggregate.FormatCSV {
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="distribution.%s"`, map[string]string{aggregate.FormatArrow: "arrows", aggregate.FormatParquet: "parquet"}[format]))
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return nil
}
