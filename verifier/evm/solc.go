package evm

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// SolcjsEnv names an environment variable that overrides where FindSolcjs
// looks for the compiler.
const SolcjsEnv = "WAGEPROOF_SOLCJS"

// solcjsPath is where `npm ci` in contracts/ installs the pinned compiler.
const solcjsPath = "contracts/node_modules/.bin/solcjs"

// ErrNoSolc reports that the pinned Solidity compiler is not installed.
var ErrNoSolc = errors.New("solcjs not found (run `npm ci` in contracts/, or `make test`)")

// FindSolcjs returns the path of solcjs: $WAGEPROOF_SOLCJS if set, else
// contracts/node_modules/.bin/solcjs in dir or the nearest parent that has it.
func FindSolcjs(dir string) (string, error) {
	if p := os.Getenv(SolcjsEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", SolcjsEnv, p, err)
		}
		return p, nil
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, filepath.FromSlash(solcjsPath))
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoSolc
		}
		dir = parent
	}
}

// Contract is a compiled contract.
type Contract struct {
	ABI json.RawMessage
	Bin []byte // creation bytecode
}

// Solc compiles Solidity with solcjs (the npm solc package) in standard JSON
// mode, with the optimizer on, for a fixed EVM version.
type Solc struct {
	Path string // solcjs
	// EVMVersion is the target hard fork; "cancun" if empty, which every
	// chain with the BN254 precompiles gnark's verifiers need has.
	EVMVersion string
}

// Compile compiles sources (file name → source text) and returns every
// contract by name. Names must be unique across files. Compiler warnings are
// dropped; errors fail the compilation with solc's messages.
func (s Solc) Compile(ctx context.Context, sources map[string]string) (map[string]Contract, error) {
	evmVersion := s.EVMVersion
	if evmVersion == "" {
		evmVersion = "cancun"
	}
	type source struct {
		Content string `json:"content"`
	}
	in := map[string]any{
		"language": "Solidity",
		"sources":  map[string]source{},
		"settings": map[string]any{
			"optimizer":       map[string]any{"enabled": true, "runs": 200},
			"evmVersion":      evmVersion,
			"outputSelection": map[string]any{"*": map[string]any{"*": []string{"abi", "evm.bytecode.object"}}},
		},
	}
	for name, text := range sources {
		in["sources"].(map[string]source)[name] = source{Content: text}
	}
	input, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, s.Path, "--standard-json")
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("solcjs: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var out struct {
		Errors []struct {
			Severity         string `json:"severity"`
			FormattedMessage string `json:"formattedMessage"`
		} `json:"errors"`
		Contracts map[string]map[string]struct {
			ABI json.RawMessage `json:"abi"`
			EVM struct {
				Bytecode struct {
					Object string `json:"object"`
				} `json:"bytecode"`
			} `json:"evm"`
		} `json:"contracts"`
	}
	// solcjs may print notices before the JSON document.
	raw := stdout.Bytes()
	if i := bytes.IndexByte(raw, '{'); i > 0 {
		raw = raw[i:]
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("solcjs: unreadable output: %w", err)
	}
	var msgs []string
	for _, e := range out.Errors {
		if e.Severity == "error" {
			msgs = append(msgs, strings.TrimSpace(e.FormattedMessage))
		}
	}
	if len(msgs) > 0 {
		return nil, fmt.Errorf("solc: %s", strings.Join(msgs, "\n"))
	}
	contracts := map[string]Contract{}
	for file, byName := range out.Contracts {
		for name, c := range byName {
			if _, dup := contracts[name]; dup {
				return nil, fmt.Errorf("solc: contract %s is defined twice (again in %s)", name, file)
			}
			bin, err := hex.DecodeString(c.EVM.Bytecode.Object)
			if err != nil {
				return nil, fmt.Errorf("solc: bytecode of %s: %w", name, err)
			}
			contracts[name] = Contract{ABI: c.ABI, Bin: bin}
		}
	}
	return contracts, nil
}
