package service

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLimits sends malformed, oversized and slow requests, each answered
// with a clean JSON error or a closed connection, while a well-behaved
// client keeps getting answers.
func TestLimits(t *testing.T) {
	e := newEnv(t)
	e.cfg.MaxProofBytes = 8 << 10
	e.cfg.ReadHeaderTimeout = 300 * time.Millisecond
	e.cfg.ReadTimeout = 600 * time.Millisecond
	srv := start(t, e.cfg)
	addr := strings.TrimPrefix(srv.url, "http://")

	t.Run("malformed", func(t *testing.T) {
		for _, body := range []string{"", "{", "null", `{"version":1}`, strings.Repeat("[", 1000)} {
			if st, code := postJSON(t, srv.url+"/v1/submissions", []byte(body), nil); st != 422 || code != CodeMalformedProof {
				t.Errorf("%q: %d %s", body, st, code)
			}
			if st, code := postJSON(t, srv.url+"/v1/claims", []byte(body), nil); st != 422 || code != CodeMalformedProof {
				t.Errorf("claim %q: %d %s", body, st, code)
			}
		}
	})
	t.Run("oversized with a length", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), 9<<10)
		if st, code := postJSON(t, srv.url+"/v1/submissions", big, nil); st != 413 || code != CodeTooLarge {
			t.Fatalf("%d %s", st, code)
		}
	})
	t.Run("oversized chunked", func(t *testing.T) {
		// No Content-Length: the limit is met while reading.
		req, _ := http.NewRequest("POST", srv.url+"/v1/submissions", io.MultiReader(strings.NewReader(`{"proof":"`), bytes.NewReader(bytes.Repeat([]byte("A"), 64<<10))))
		req.ContentLength = -1
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if st, code := decodeAnswer(t, resp, nil); st != 413 || code != CodeTooLarge {
			t.Fatalf("%d %s", st, code)
		}
	})

	// Slow clients: one sends its headers a byte at a time, one its body.
	slowHeaders := make(chan error, 1)
	go func() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			slowHeaders <- err
			return
		}
		defer c.Close()
		req := "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 100)
		for i := range req {
			if _, err := c.Write([]byte{req[i]}); err != nil {
				slowHeaders <- nil // cut off: as it should be
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		slowHeaders <- fmt.Errorf("the server read slow headers for %d bytes without cutting them off", len(req))
	}()
	slowBody := make(chan string, 1)
	go func() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			slowBody <- err.Error()
			return
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n")
		go func() {
			for range 100 {
				if _, err := c.Write([]byte("{")); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			slowBody <- "no answer: " + err.Error()
			return
		}
		defer resp.Body.Close()
		st, code := decodeAnswer(t, resp, nil)
		slowBody <- fmt.Sprintf("%d %s", st, code)
	}()
	// Meanwhile, others are served.
	for range 20 {
		var h Health
		if st, _ := getJSON(t, srv.url+"/v1/health", &h); st != 200 || h.Status != "ok" {
			t.Fatalf("health during slow clients: %d", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := <-slowHeaders; err != nil {
		t.Error(err)
	}
	if got := <-slowBody; got != "408 timeout" {
		t.Errorf("slow body: %s, want 408 timeout", got)
	}
}
