package evm_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wageproof/wageproof/verifier/evm"
)

func TestFindSolcjs(t *testing.T) {
	t.Setenv(evm.SolcjsEnv, "") // search, whatever the environment says
	if _, err := evm.FindSolcjs(t.TempDir()); !errors.Is(err, evm.ErrNoSolc) {
		t.Errorf("no contracts/ above a temporary directory: %v", err)
	}
	t.Setenv(evm.SolcjsEnv, filepath.Join(t.TempDir(), "solcjs"))
	if _, err := evm.FindSolcjs("."); err == nil || !strings.Contains(err.Error(), evm.SolcjsEnv) {
		t.Errorf("override naming a missing file: %v", err)
	}
}

func TestSolcErrors(t *testing.T) {
	s := solc(t)
	ctx := context.Background()
	_, err := s.Compile(ctx, map[string]string{"Bad.sol": "pragma solidity ^0.8.20; contract Bad { function f() { } "})
	if err == nil || !strings.Contains(err.Error(), "solc:") {
		t.Errorf("syntax error: %v", err)
	}
	out, err := s.Compile(ctx, map[string]string{"Ok.sol": "pragma solidity ^0.8.20; contract Ok { function f() external pure returns (uint) { return 1; } }"})
	if err != nil || len(out["Ok"].Bin) == 0 || !strings.Contains(string(out["Ok"].ABI), `"name":"f"`) {
		t.Errorf("compiling a valid contract: %v %v", out, err)
	}
}
