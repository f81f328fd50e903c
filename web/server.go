package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"zonage/internal/onewrite"
)

// Config sets the limits and switches of the server; zero values take the defaults.
type Config struct {
	// MaxBodyBytes caps request bodies (CSV uploads); default 100 MB.
	MaxBodyBytes int64
	// RequestTimeout caps the time an answer may take; default 10 s. Batch
	// classification has its own, longer, ClassifyTimeout (default 10 min).
	RequestTimeout  time.Duration
	ClassifyTimeout time.Duration
	// RateLimit is the number of requests per second allowed per client IP, with
	// RateBurst in reserve; 0 = no limit.
	RateLimit float64
	RateBurst int
	// CORSOrigins are the origins allowed to call the API from a browser; "*" = any;
	// empty = same origin only.
	CORSOrigins []string
	// AdminToken enables POST /api/v1/admin/reload for callers presenting it as a
	// bearer token; empty = endpoint disabled.
	AdminToken string
	// MaxConnections bounds the connections open at once: past it, a new
	// connection waits to be accepted until one closes, or until one idle for
	// a second is closed to make room. 0 takes DefaultMaxConnections; a
	// negative value sets no bound.
	MaxConnections int
	// BaseMap is the raster base map under the map's choropleth: nil for
	// DefaultBaseMap, one with an empty URL for none (see ParseBaseMap).
	BaseMap *BaseMap
	Logger  *slog.Logger
}

func (c *Config) defaults() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 100 << 20
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 10 * time.Second
	}
	if c.ClassifyTimeout <= 0 {
		c.ClassifyTimeout = 10 * time.Minute
	}
	if c.RateBurst <= 0 {
		c.RateBurst = int(2*c.RateLimit) + 1
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.BaseMap == nil {
		bm := DefaultBaseMap
		c.BaseMap = &bm
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
}

// Server serves the API from the current State.
type Server struct {
	cfg     Config
	load    Loader
	state   atomic.Pointer[State]
	reload  sync.Mutex // one reload at a time
	metrics *metrics
	engine  *gin.Engine
	// generalOnly turns the ready answers of resolveFast off: the tests compare
	// them with the general path's.
	generalOnly bool
	// noBackgroundFill leaves the ready answers to be made by the queries
	// alone: tests that change the day under the server use it.
	noBackgroundFill bool
	// noFarAnswers answers points far from every commune as other points
	// outside every commune: the benchmarks measure what those answers save.
	noFarAnswers bool
	// The background fills of ready answers (see fastTable), ended by Serve on
	// its way out.
	fillsMu   sync.Mutex
	fills     sync.WaitGroup
	stopping  bool
	stopFills atomic.Bool
	exports   exportCache // the files of GET /api/v1/export/{format}

	publications atomic.Pointer[publications] // nil: the server follows no feed
	followingMu  sync.Mutex
	following    followingGauge
}

// New loads the first state and builds the routes. A failed first load is an
// error: the server never starts without data.
func New(ctx context.Context, cfg Config, load Loader) (*Server, error) {
	cfg.defaults()
	s := &Server{cfg: cfg, load: load, metrics: newMetrics()}
	st, err := load(ctx)
	if err != nil {
		return nil, err
	}
	s.swap(st)
	s.engine = s.routes()
	return s, nil
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Current returns the state being served.
func (s *Server) Current() *State { return s.state.Load() }

func (s *Server) swap(st *State) {
	s.state.Store(st)
	s.metrics.datasetLoaded(st.meta().Version, st.LoadedAt)
}

// Reload loads a new state and swaps it in atomically: requests in flight finish on
// the old one, later requests get the new one. A state that fails to load is
// refused and the current one keeps serving.
func (s *Server) Reload(ctx context.Context) (version string, err error) {
	s.reload.Lock()
	defer s.reload.Unlock()
	st, err := s.load(ctx)
	if err != nil {
		s.metrics.reloads.WithLabelValues("refused").Inc()
		s.cfg.Logger.Warn("rechargement refusé, les données actuelles restent servies", "err", err.Error(), "version", s.Current().meta().Version)
		return s.Current().meta().Version, err
	}
	s.swap(st)
	s.metrics.reloads.WithLabelValues("ok").Inc()
	s.cfg.Logger.Info("données rechargées", "version", st.meta().Version, "source", st.Source)
	return st.meta().Version, nil
}

// Serve runs the HTTP server on addr until ctx is cancelled, then shuts down
// gracefully: in-flight requests get up to grace to finish.
func (s *Server) Serve(ctx context.Context, addr string, grace time.Duration, ready func(addr string)) error {
	srv := s.httpServer(addr)
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	defer s.exports.removeAll()
	defer s.stopFilling()
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	served, lane := s.listener(ln, srv)
	go func() { errc <- srv.Serve(served) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	// The lane's connections end as net/http's do: the idle ones at once,
	// the others after their answer, all of them by the grace's end.
	laneDone := make(chan error, 1)
	go func() { laneDone <- lane.shutdown(sctx) }()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("arrêt du serveur : %w", err)
	}
	if err := <-laneDone; err != nil {
		return fmt.Errorf("arrêt du serveur : %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listener is the listener srv serves on: ln's connections, at most
// MaxConnections at once (connLimitListener), served by the fast lane until a
// request it leaves to net/http (fastLane), then each made a serverListener's;
// lane must be shut down with srv.
func (s *Server) listener(ln net.Listener, srv *http.Server) (served net.Listener, lane *fastLane) {
	var limited *connLimitListener
	if s.cfg.MaxConnections > 0 {
		limited = limitConnections(ln, s.cfg.MaxConnections)
		srv.ConnState = limited.connState
		ln = limited
	}
	lane = newFastLane(ln, s, srv, limited)
	return serverListener(lane), lane
}

// httpServer is the HTTP server Serve runs on its listener (serverListener).
func (s *Server) httpServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		// The classification deadline governs a request; the connection read
		// deadline only backs it up, so it falls later.
		ReadTimeout:  s.cfg.ClassifyTimeout + 10*time.Second,
		WriteTimeout: s.cfg.ClassifyTimeout + 10*time.Second,
		IdleTimeout:  2 * time.Minute,
		// A handler reaches its connection through the request's context to
		// send its answer in one write (onewrite.Hold).
		ConnContext: onewrite.ConnContext,
	}
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("écoute sur %s : %w", addr, err)
	}
	return ln, nil
}

// maxHeaderBytes bounds the request line and headers together.
const maxHeaderBytes = 1 << 20
