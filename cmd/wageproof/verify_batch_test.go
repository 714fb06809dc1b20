package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyBatchMatchesSingleFiles: verifying many files at once (batched
// underneath) prints, for each file, exactly the line that verifying it alone
// prints, in the order given, and the exit status of the worst file.
func TestVerifyBatchMatchesSingleFiles(t *testing.T) {
	keys := filepath.Join("..", "..", "fixtures", "keys")
	files, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "proofs", "*.json"))
	if err != nil || len(files) < 4 {
		t.Fatalf("fixture proofs: %v, %v", files, err)
	}
	// Valid proofs repeated among the invalid ones make a batch with both.
	valid := filepath.Join("..", "..", "fixtures", "proofs", "valid-developer.json")
	args := []string{valid}
	for _, f := range files {
		args = append(args, f, valid)
	}
	args = append(args, filepath.Join(t.TempDir(), "missing.json"))

	for _, flags := range [][]string{nil, {"--json"}} {
		var want strings.Builder
		wantCode := 0
		for _, f := range args {
			code, out, _ := runCLI(t, append(append([]string{"verify", "--keys", keys}, flags...), f)...)
			want.WriteString(out)
			wantCode = max(wantCode, code)
		}
		code, out, _ := runCLI(t, append(append([]string{"verify", "--keys", keys}, flags...), args...)...)
		if out != want.String() || code != wantCode {
			t.Errorf("verify %v of %d files: exit %d, want %d; output\n%s\nwant\n%s", flags, len(args), code, wantCode, out, want.String())
		}
	}
}
