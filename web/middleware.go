package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

const requestIDHeader = "X-Request-ID"

// requestID gives every request an id, taken from the caller when it sends a sane
// one, and echoes it so a user's report can be found in the logs.
func requestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if id == "" || len(id) > 64 || strings.ContainsAny(id, " \t\r\n\"") {
		var b [8]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set("request_id", id)
	c.Header(requestIDHeader, id)
	c.Next()
}

// accessLog writes one structured line per request. The raw path and query are
// never logged at info level: they carry addresses, which are personal data when
// they are a kiné's home or cabinet.
func accessLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		// Deferred, so that an answer aborted mid-stream is logged too.
		defer logRequest(logger, c, start)
		c.Next()
	}
}

// logRequest writes the access log line of a request; the method is from a closed
// set, like the metrics'.
func logRequest(logger *slog.Logger, c *gin.Context, start time.Time) {
	route := c.FullPath()
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	logger.LogAttrs(c.Request.Context(), level, "requête",
		slog.String("request_id", c.GetString("request_id")),
		slog.String("method", methodLabel(c.Request.Method)),
		slog.String("route", route),
		slog.Int("status", c.Writer.Status()),
		slog.Int("bytes", c.Writer.Size()),
		slog.Duration("duration", time.Since(start)))
	if logger.Enabled(c.Request.Context(), slog.LevelDebug) {
		logger.Debug("détail de la requête", "request_id", c.GetString("request_id"), "path", c.Request.URL.Path, "query", c.Request.URL.RawQuery)
	}
}

// recoverProblem turns a panic into a 500 problem instead of a dropped connection.
// http.ErrAbortHandler goes through: it is how a handler that has started its
// answer says the answer must end as a failure, with no final chunk.
func recoverProblem(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				logger.Error("panique dans un gestionnaire", "request_id", c.GetString("request_id"), "route", c.FullPath(), "panic", fmt.Sprint(r))
				if !c.Writer.Written() {
					writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; l'incident est journalisé sous l'identifiant "+c.GetString("request_id"))
				}
				c.Abort()
			}
		}()
		c.Next()
	}
}

// securityHeaders tells browsers never to guess a content type other than the one
// sent: an uploaded CSV echoed back must not run as HTML.
func securityHeaders(c *gin.Context) {
	c.Header("X-Content-Type-Options", "nosniff")
	c.Next()
}

// deadline bounds the time a handler may spend; handlers stop on the context.
func deadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// limitBody refuses bodies over max bytes with a 413 problem.
func limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > max {
			writeProblem(c, http.StatusRequestEntityTooLarge, ProblemTooLarge,
				fmt.Sprintf("corps de requête de %d octets ; la limite est de %d octets", c.Request.ContentLength, max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// clientLimiter allows each client IP rate requests per second with burst in
// reserve. Idle clients are forgotten so the table stays small.
type clientLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	clients map[string]*clientEntry
	lastGC  time.Time
}

type clientEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newClientLimiter(perSecond float64, burst int) *clientLimiter {
	return &clientLimiter{rate: rate.Limit(perSecond), burst: burst, clients: map[string]*clientEntry{}, lastGC: time.Now()}
}

func (l *clientLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastGC) > time.Minute {
		for k, e := range l.clients {
			if now.Sub(e.seen) > 5*time.Minute {
				delete(l.clients, k)
			}
		}
		l.lastGC = now
	}
	e, ok := l.clients[ip]
	if !ok {
		e = &clientEntry{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[ip] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}

func (l *clientLimiter) middleware(c *gin.Context) {
	ip, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		ip = c.Request.RemoteAddr
	}
	if !l.allow(ip, time.Now()) {
		c.Header("Retry-After", "1")
		writeProblem(c, http.StatusTooManyRequests, ProblemRateLimited, fmt.Sprintf("plus de %.0f requêtes par seconde depuis cette adresse ; réessayez dans une seconde", float64(l.rate)))
		return
	}
	c.Next()
}

// cors answers browsers calling from the allowed origins. When only some origins
// are allowed, every answer varies with Origin (allowed or not, with or without
// one): a shared cache must not hand an answer made for one origin to another.
func cors(origins []string) gin.HandlerFunc {
	any := false
	allowed := map[string]bool{}
	for _, o := range origins {
		if o == "*" {
			any = true
		}
		allowed[strings.TrimRight(o, "/")] = true
	}
	varies := len(allowed) > 0 && !any
	return func(c *gin.Context) {
		if varies {
			c.Writer = &varyWriter{ResponseWriter: c.Writer}
			addVary(c.Writer.Header(), "Origin")
			// Answers without a body (304) have their header written by gin after
			// the handlers, past the writer above.
			defer func() {
				if !c.Writer.Written() {
					addVary(c.Writer.Header(), "Origin")
				}
			}()
		}
		origin := c.GetHeader("Origin")
		if origin != "" && (any || allowed[origin]) {
			if any {
				c.Header("Access-Control-Allow-Origin", "*")
			} else {
				c.Header("Access-Control-Allow-Origin", origin)
			}
			c.Header("Access-Control-Expose-Headers", "ETag, X-Request-ID, X-Zonage-Dataset-Version")
			if c.Request.Method == http.MethodOptions {
				c.Header("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
				c.Header("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Request-ID, If-None-Match")
				c.Header("Access-Control-Max-Age", "86400")
				c.AbortWithStatus(http.StatusNoContent)
				return
			}
		}
		c.Next()
	}
}

// varyWriter keeps "Origin" in the Vary header whatever later handlers set there
// (the gzip middleware and the tiles replace it).
type varyWriter struct{ gin.ResponseWriter }

func (w *varyWriter) WriteHeader(code int) {
	addVary(w.Header(), "Origin")
	w.ResponseWriter.WriteHeader(code)
}

func (w *varyWriter) WriteHeaderNow() {
	addVary(w.Header(), "Origin")
	w.ResponseWriter.WriteHeaderNow()
}

func (w *varyWriter) Write(b []byte) (int, error) {
	addVary(w.Header(), "Origin")
	return w.ResponseWriter.Write(b)
}

func (w *varyWriter) WriteString(s string) (int, error) {
	addVary(w.Header(), "Origin")
	return w.ResponseWriter.WriteString(s)
}

// addVary adds name to the Vary header unless it is there already.
func addVary(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return
			}
		}
	}
	h.Add("Vary", name)
}

// notModifiedToday is notModified for an answer from st on the current day.
func notModifiedToday(c *gin.Context, st *State, maxAge time.Duration) bool {
	return notModified(c, st.meta().Version, today(st.Resolver), maxAge)
}

// notModified sets the validators of an answer that depends only on the request
// (and on variants, what else shapes it), the dataset version and the day (effective dates and upcoming zonages change what
// an answer says from one day to the next), and answers 304 when the client holds
// that answer already. Handlers call it once they know the resource exists, so
// that "If-None-Match: *" is never answered 304 for a missing one.
func notModified(c *gin.Context, version, day string, maxAge time.Duration, variants ...string) bool {
	h := fnv.New64a()
	h.Write([]byte(c.Request.URL.Path))
	h.Write([]byte{0})
	h.Write([]byte(c.Request.URL.RawQuery))
	for _, v := range variants {
		h.Write([]byte{0})
		h.Write([]byte(v))
	}
	etag := fmt.Sprintf(`"%s-%s-%x"`, version, day, h.Sum64())
	c.Header("X-Zonage-Dataset-Version", version)
	return answerNotModified(c, etag, fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
}

// answerNotModified sets ETag and Cache-Control and answers 304 when If-None-Match
// names the ETag (weak comparison, as RFC 9110 asks for GET and HEAD) or is "*".
func answerNotModified(c *gin.Context, etag, cacheControl string) bool {
	c.Header("ETag", etag)
	c.Header("Cache-Control", cacheControl)
	for _, v := range strings.Split(c.GetHeader("If-None-Match"), ",") {
		if v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "W/")); v == etag || v == "*" {
			c.Status(http.StatusNotModified)
			c.Abort()
			return true
		}
	}
	return false
}
