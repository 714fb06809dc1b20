package service

import (
	"net/http"
	"strings"
	"testing"
)

// TestOpenAPIDocumentsEveryRoute checks the served document against the
// route table the mux is built from, both ways.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	e := newEnv(t)
	srv := start(t, e.cfg)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if st, _ := getJSON(t, srv.url+"/v1/openapi.json", &doc); st != http.StatusOK || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi: %d %q", st, doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, rt := range srv.srv.routes {
		path := strings.TrimSuffix(rt.Path, "{$}")
		key := strings.ToLower(rt.Method) + " " + path
		served[key] = true
		op, ok := doc.Paths[path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s is served but not documented", key)
			continue
		}
		if _, ok := op["responses"]; !ok {
			t.Errorf("%s has no responses", key)
		}
		if _, ok := op["security"]; ok != rt.Admin {
			t.Errorf("%s: documented security %v, admin %v", key, ok, rt.Admin)
		}
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			if !served[m+" "+path] {
				t.Errorf("%s %s is documented but not served", m, path)
			}
		}
	}
}
