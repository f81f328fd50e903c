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
		c.Next()
		route := c.FullPath()
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		logger.LogAttrs(c.Request.Context(), level, "requête",
			slog.String("request_id", c.GetString("request_id")),
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)))
		if logger.Enabled(c.Request.Context(), slog.LevelDebug) {
			logger.Debug("détail de la requête", "request_id", c.GetString("request_id"), "path", c.Request.URL.Path, "query", c.Request.URL.RawQuery)
		}
	}
}

// recoverProblem turns a panic into a 500 problem instead of a dropped connection.
func recoverProblem(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
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

// cors answers browsers calling from the allowed origins.
func cors(origins []string) gin.HandlerFunc {
	any := false
	allowed := map[string]bool{}
	for _, o := range origins {
		if o == "*" {
			any = true
		}
		allowed[strings.TrimRight(o, "/")] = true
	}
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin != "" && (any || allowed[origin]) {
			if any {
				c.Header("Access-Control-Allow-Origin", "*")
			} else {
				c.Header("Access-Control-Allow-Origin", origin)
				c.Header("Vary", "Origin")
			}
			c.Header("Access-Control-Expose-Headers", "ETag, X-Request-ID, X-Zonage-Dataset-Version")
			if c.Request.Method == http.MethodOptions {
				c.Header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				c.Header("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Request-ID, If-None-Match")
				c.Header("Access-Control-Max-Age", "86400")
				c.AbortWithStatus(http.StatusNoContent)
				return
			}
		}
		c.Next()
	}
}

// notModified sets the ETag and Cache-Control of an answer that depends only on the
// request and the dataset version, and answers 304 when the client already has it.
func notModified(c *gin.Context, version string) bool {
	h := fnv.New64a()
	h.Write([]byte(c.Request.URL.Path))
	h.Write([]byte{0})
	h.Write([]byte(c.Request.URL.RawQuery))
	etag := fmt.Sprintf(`"%s-%x"`, version, h.Sum64())
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, max-age=3600")
	c.Header("X-Zonage-Dataset-Version", version)
	for _, v := range strings.Split(c.GetHeader("If-None-Match"), ",") {
		if v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "W/")); v == etag || v == "*" {
			c.Status(http.StatusNotModified)
			c.Abort()
			return true
		}
	}
	return false
}
