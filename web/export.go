package web

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// exportFormats are the formats of GET /api/v1/export/{format} with their media
// types; the files themselves come from State.ExportFile.
var exportFormats = map[string]string{
	"geojson": "application/geo+json",
	"csv":     "text/csv; charset=utf-8",
	"gpkg":    "application/geopackage+sqlite3",
}

// exportCache keeps the export files of the dataset and day being served, each
// with a gzipped copy, in a temporary folder: an export takes a few seconds and
// tens of megabytes, too much to build per request or to keep in memory. A file
// is built once however many clients ask at the same time, and replaced (the old
// one deleted) when the dataset or the day changes.
type exportCache struct {
	mu    sync.Mutex
	dir   string
	files map[string]*exportFile // by format
}

type exportFile struct {
	key   string // version, day and format
	done  chan struct{}
	path  string // the file; path+".gz" its gzipped copy
	built time.Time
	err   error
}

func (ec *exportCache) get(st *State, format string) (*exportFile, error) {
	key := st.meta().Version + "." + today(st.Resolver) + "." + format
	ec.mu.Lock()
	if ec.files == nil {
		ec.files = map[string]*exportFile{}
	}
	if f := ec.files[format]; f != nil && f.key == key {
		ec.mu.Unlock()
		<-f.done
		return f, f.err
	}
	if ec.dir == "" {
		dir, err := os.MkdirTemp("", "zonage-exports-")
		if err != nil {
			ec.mu.Unlock()
			return nil, err
		}
		ec.dir = dir
	}
	old := ec.files[format]
	f := &exportFile{key: key, done: make(chan struct{}), path: filepath.Join(ec.dir, "zonage-communes-"+strings.ReplaceAll(key, "/", "_"))}
	ec.files[format] = f
	ec.mu.Unlock()

	f.err = st.ExportFile(format, f.path)
	if f.err == nil {
		f.err = gzipFile(f.path, f.path+".gz")
	}
	f.built = time.Now()
	close(f.done)
	if f.err != nil {
		ec.mu.Lock()
		if ec.files[format] == f {
			delete(ec.files, format) // the next request tries again
		}
		ec.mu.Unlock()
	}
	if old != nil {
		// Clients still reading the old file keep it open; the space is freed when they finish.
		os.Remove(old.path)
		os.Remove(old.path + ".gz")
	}
	return f, f.err
}

// removeAll deletes the export files when the server stops.
func (ec *exportCache) removeAll() {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	if ec.dir != "" {
		os.RemoveAll(ec.dir)
		ec.dir, ec.files = "", nil
	}
}

func gzipFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(out, gzip.DefaultCompression)
	_, err = io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// handleExport answers GET /api/v1/export/{format}: every commune of the loaded
// dataset with its zonage in force today, as the file `zonage export` writes.
// Gzip is applied once when the file is built and sent as such to the clients that
// accept it; ranges are served, so an interrupted download can resume.
func (s *Server) handleExport(c *gin.Context) {
	if !checkParams(c) {
		return
	}
	format := c.Param("format")
	ctype, ok := exportFormats[format]
	if !ok {
		writeProblemField(c, http.StatusNotFound, ProblemNotFound, "format d'export "+quote(format)+" inconnu : geojson, csv ou gpkg", "format", format)
		return
	}
	st := s.Current()
	if st.ExportFile == nil {
		writeProblem(c, http.StatusServiceUnavailable, ProblemUnavailable, "export indisponible sur ce serveur")
		return
	}
	f, err := s.exports.get(st, format)
	if err != nil {
		s.cfg.Logger.Error("export impossible", "format", format, "err", err.Error(), "request_id", requestIDOf(c))
		writeProblem(c, http.StatusInternalServerError, ProblemInternal, "export impossible ; l'incident est journalisé sous l'identifiant "+requestIDOf(c))
		return
	}
	path := f.path
	h := c.Writer.Header()
	h.Set("Vary", "Accept-Encoding")
	if strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		path += ".gz"
		h.Set("Content-Encoding", "gzip")
	}
	file, err := os.Open(path)
	if err != nil {
		writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; identifiant "+requestIDOf(c))
		return
	}
	defer file.Close()
	version := st.meta().Version
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="zonage-communes-%s.%s"`, version, format))
	// The gzipped copy is other bytes: its own tag, so that ranges never mix them.
	etag := `"` + f.key
	if h.Get("Content-Encoding") == "gzip" {
		etag += "-gz"
	}
	h.Set("ETag", etag+`"`)
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Zonage-Dataset-Version", version)
	http.ServeContent(c.Writer, c.Request, "", f.built, file)
}
