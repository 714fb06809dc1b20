package service

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/wageproof/wageproof/prover/provertest"
)

// childEnv, when set, makes the test binary a server (for the kill and
// restart test): the variable holds a childConfig as JSON.
const childEnv = "WAGEPROOF_SERVICE_CHILD"

type childConfig struct {
	StoreDir, KeysDir, PoolDir, MembersFile string
	// AcceptAll stubs the verifier (see acceptAll).
	AcceptAll bool
}

func TestMain(m *testing.M) {
	if c := os.Getenv(childEnv); c != "" {
		if err := child(c); err != nil {
			fmt.Fprintln(os.Stderr, "service child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	code := m.Run()
	provertest.Cleanup()
	os.Exit(code)
}

// child serves until SIGTERM (graceful) or SIGKILL (the test's crash),
// announcing its address on stdout.
func child(conf string) error {
	var cc childConfig
	if err := json.Unmarshal([]byte(conf), &cc); err != nil {
		return err
	}
	cfg := Config{StoreDir: cc.StoreDir, KeysDir: cc.KeysDir, PoolDir: cc.PoolDir, MembersFile: cc.MembersFile}
	if cc.AcceptAll {
		cfg.Verifier = acceptAll{}
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("listening %s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return s.Run(ctx, ln)
}
