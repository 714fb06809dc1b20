package service

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
)

//go:embed openapi.json
var openapiJSON []byte

//go:embed web
var webFS embed.FS

func serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiJSON)
	return nil
}

// securityHeaders keep the dashboard to its own embedded assets.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

func serveDashboard(w http.ResponseWriter, r *http.Request) error {
	return serveFile(w, "web/index.html")
}

func serveAsset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	if name == "index.html" || !fs.ValidPath(name) {
		return newError(http.StatusNotFound, CodeNotFound, "no such asset")
	}
	return serveFile(w, "web/"+name)
}

func serveFile(w http.ResponseWriter, name string) error {
	b, err := webFS.ReadFile(name)
	if err != nil {
		return newError(http.StatusNotFound, CodeNotFound, "no such asset")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
	return nil
}
