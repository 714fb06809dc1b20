package service

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serverProcess is the test binary re-executed as a server (see child).
type serverProcess struct {
	cmd *exec.Cmd
	url string
}

func startProcess(t *testing.T, cc childConfig) *serverProcess {
	t.Helper()
	conf, _ := json.Marshal(cc)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(conf))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("server process: %q %v", line, err)
	}
	go io.Copy(io.Discard, out)
	return &serverProcess{cmd: cmd, url: "http://" + addr}
}

// TestKillAndRestart SIGKILLs a server process in the middle of a load of
// submissions, twice, restarting it on the same files each time. Every
// submission answered "accepted" must survive, answered "duplicate" when
// sent again; submissions whose answer was lost may or may not be stored;
// the store opens cleanly and holds no nullifier twice. A graceful SIGTERM
// at the end must exit 0 with everything committed.
func TestKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns server processes")
	}
	e := newEnv(t)
	cc := childConfig{StoreDir: e.cfg.StoreDir, KeysDir: e.cfg.KeysDir, PoolDir: e.cfg.PoolDir, MembersFile: e.cfg.MembersFile, AcceptAll: true}
	root, _ := e.keys.Registry.Root()
	rf := rootField(t, root.String())

	var accepted []string
	maybe := map[string]bool{}
	offset := 0
	for round := range 2 {
		p := startProcess(t, cc)
		ctx, cancel := context.WithCancel(context.Background())
		base := offset
		go func() {
			// Kill once the load is well under way.
			time.Sleep(800 * time.Millisecond)
			p.cmd.Process.Signal(syscall.SIGKILL)
			time.Sleep(200 * time.Millisecond)
			cancel()
		}()
		st := load(ctx, p.url, 8, func(i int) []byte { return synthEnvelope(t, rf, base+i) },
			func(i int) string { return field("load-null", base+i).String() })
		p.cmd.Wait()
		t.Logf("round %d: killed mid-load: %s", round, st)
		if st.byStatus[201] == 0 {
			t.Fatalf("round %d: nothing was accepted before the kill", round)
		}
		accepted = append(accepted, st.accepted...)
		// Every request the server may have seen without answering.
		total := len(st.latencies) + st.failed
		for i := range total + 8 {
			maybe[field("load-null", base+i).String()] = true
		}
		offset += total + 8
	}

	// Restart: what was accepted is there, and a resubmission is a
	// duplicate, not a second row.
	p := startProcess(t, cc)
	acc := map[string]bool{}
	for _, n := range accepted {
		acc[n] = true
	}
	resent := 0
	for i := 0; i < offset && resent < 50; i++ {
		n := field("load-null", i).String()
		if !acc[n] {
			continue
		}
		resent++
		resp, err := http.Post(p.url+"/v1/submissions", "application/json", strings.NewReader(string(synthEnvelope(t, rf, i))))
		if err != nil {
			t.Fatal(err)
		}
		if st, code := decodeAnswer(t, resp, nil); st != http.StatusConflict || code != CodeDuplicate {
			t.Fatalf("resubmitting accepted submission %d: %d %s", i, st, code)
		}
		resp.Body.Close()
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	checkStored(t, e.cfg.StoreDir, accepted, maybe)
}
