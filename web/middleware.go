package web

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// requestIDHeader is written in its canonical form, so that neither reading nor
// writing it allocates a canonical copy (HTTP header names ignore case).
const requestIDHeader = "X-Request-Id"

// The ids of requests that bring none are a random prefix per process and a
// counter, 16 hex digits like a random id: unique without asking the system for
// randomness on every request.
var (
	requestIDPrefix = func() uint64 {
		var b [4]byte
		rand.Read(b[:])
		return uint64(binary.BigEndian.Uint32(b[:])) << 32
	}()
	requestIDCount atomic.Uint64
)

// requestID gives every request an id, taken from the caller when it sends a sane
// one, and echoes it so a user's report can be found in the logs. The id is kept
// in the answer's header alone (requestIDOf reads it there): gin's Keys map would
// cost an allocation per request.
func requestID(c *gin.Context) {
	v := c.Request.Header[requestIDHeader]
	if len(v) > 0 && v[0] != "" && len(v[0]) <= 64 && !strings.ContainsAny(v[0], " \t\r\n\"") {
		// The caller's value, shared with the request's header: capacity one, so
		// never written into.
		v = v[0:1:1]
	} else {
		var b [16]byte
		n := requestIDPrefix | uint64(uint32(requestIDCount.Add(1)))
		const digits = "0123456789abcdef"
		for i := len(b) - 1; i >= 0; i-- {
			b[i] = digits[n&15]
			n >>= 4
		}
		v = headerValue(b[:])
	}
	c.Writer.Header()[requestIDHeader] = v
	c.Next()
}

// requestIDOf is the id requestID gave the request.
func requestIDOf(c *gin.Context) string {
	if v := c.Writer.Header()[requestIDHeader]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// observe writes one structured line per request (logRequest) and counts it
// in the metrics (metrics.count), after the answer, from one reading of the
// clock at each end. Deferred, so that an answer aborted mid-stream is logged
// and counted too.
func observe(logger *slog.Logger, m *metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		defer func() {
			took := time.Since(start)
			m.count(c, took)
			logRequest(logger, c, took)
		}()
		c.Next()
	}
}

// logRequest writes the access log line of a request; the method is from a closed
// set, like the metrics'. The raw path and query are never logged at info
// level: they carry addresses, which are personal data when they are a kiné's
// home or cabinet.
func logRequest(logger *slog.Logger, c *gin.Context, took time.Duration) {
	route := c.FullPath()
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	if !logger.Enabled(c.Request.Context(), level) {
		return // the line would be dropped: spare making it
	}
	logger.LogAttrs(c.Request.Context(), level, "requête",
		slog.String("request_id", requestIDOf(c)),
		slog.String("method", methodLabel(c.Request.Method)),
		slog.String("route", route),
		slog.Int("status", c.Writer.Status()),
		slog.Int("bytes", c.Writer.Size()),
		slog.Duration("duration", took))
	if logger.Enabled(c.Request.Context(), slog.LevelDebug) {
		logger.Debug("détail de la requête", "request_id", requestIDOf(c), "path", c.Request.URL.Path, "query", c.Request.URL.RawQuery)
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
				logger.Error("panique dans un gestionnaire", "request_id", requestIDOf(c), "route", c.FullPath(), "panic", fmt.Sprint(r))
				if !c.Writer.Written() {
					writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; l'incident est journalisé sous l'identifiant "+requestIDOf(c))
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
	c.Writer.Header()["X-Content-Type-Options"] = nosniff
	c.Next()
}

// nosniff is shared by every answer: a header value is replaced, never written into.
var nosniff = []string{"nosniff"}

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
		body := &startedBody{ReadCloser: http.MaxBytesReader(c.Writer, c.Request.Body, max)}
		c.Request.Body = body
		c.Next()
		// Many clients send their whole body before they read the answer. One
		// written before the body was read (a refusal, a preview that needs only
		// the start) would reach them as a reset connection: net/http reads at
		// most 256 KB of what is left, then closes. What is left is read and
		// dropped here, within the limit, before the answer goes out. A client
		// that asked « Expect: 100-continue » and was never told to go on has
		// sent nothing: reading would tell it to send the whole body for a
		// refusal, so net/http answers it as it is.
		if !body.started && strings.EqualFold(c.GetHeader("Expect"), "100-continue") {
			return
		}
		io.Copy(io.Discard, c.Request.Body)
	}
}

// startedBody tells whether a request body has been read at all.
type startedBody struct {
	io.ReadCloser
	started bool
}

func (b *startedBody) Read(p []byte) (int, error) {
	b.started = true
	return b.ReadCloser.Read(p)
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

// corsExposedHeaders are the answer headers a page may read beyond the ones
// CORS always shows: the cache validator, the request id and data version,
// Retry-After of a 429 (to wait before asking again), and for a classified file
// its profession and its file name.
const corsExposedHeaders = "ETag, X-Request-ID, X-Zonage-Dataset-Version, Retry-After, X-Zonage-Profession, Content-Disposition"

// corsAllowedHeaders are the request headers a page may send: besides the body's
// type and the admin token, If-None-Match to revalidate, Content-Encoding for a
// gzip-compressed file to classify and Range to resume an export.
const corsAllowedHeaders = "Content-Type, Content-Encoding, Authorization, X-Request-ID, If-None-Match, Range"

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
			c.Header("Access-Control-Expose-Headers", corsExposedHeaders)
			if c.Request.Method == http.MethodOptions {
				c.Header("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
				c.Header("Access-Control-Allow-Headers", corsAllowedHeaders)
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

// Unwrap lets http.ResponseController reach the connection (the classify
// route sets its read deadline).
func (w *varyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

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
	// FNV-1a over the path, the query and the variants, each after a zero byte
	// but the first: written out rather than through hash/fnv, whose interface
	// costs an allocation per write on the hottest route.
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * prime64
		}
	}
	add(c.Request.URL.Path)
	add("\x00")
	add(c.Request.URL.RawQuery)
	for _, v := range variants {
		add("\x00")
		add(v)
	}
	var buf [128]byte
	etag := append(buf[:0], '"')
	etag = append(append(append(append(etag, version...), '-'), day...), '-')
	etag = append(strconv.AppendUint(etag, h, 16), '"')
	header := c.Writer.Header()
	header["X-Zonage-Dataset-Version"] = datasetVersionHeader.of(version)
	return setValidators(c, headerValue(etag), cacheControlFor(maxAge))
}

// datasetVersionHeader is the X-Zonage-Dataset-Version header of the answers.
var datasetVersionHeader fixedHeaderValue

// cacheControlHour is the Cache-Control of most answers, kept written and
// shared by them (a header value is replaced, never written into).
var cacheControlHour = []string{"public, max-age=3600"}

func cacheControlFor(maxAge time.Duration) []string {
	if maxAge == time.Hour {
		return cacheControlHour
	}
	return []string{"public, max-age=" + strconv.Itoa(int(maxAge.Seconds()))}
}

// answerNotModified sets ETag and Cache-Control and answers 304 when If-None-Match
// names the ETag (weak comparison, as RFC 9110 asks for GET and HEAD) or is "*".
func answerNotModified(c *gin.Context, etag, cacheControl string) bool {
	// Both values in one allocation: the header keeps each as its own one-value slice.
	values := []string{etag, cacheControl}
	return setValidators(c, values[0:1:1], values[1:2:2])
}

// setValidators is answerNotModified with the header's one-value slices made.
func setValidators(c *gin.Context, etagValue, cacheControl []string) bool {
	etag := etagValue[0]
	header := c.Writer.Header()
	header["Etag"] = etagValue
	header["Cache-Control"] = cacheControl
	inm := c.Request.Header["If-None-Match"]
	if len(inm) == 0 || inm[0] == "" {
		return false
	}
	for _, v := range strings.Split(inm[0], ",") {
		if v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "W/")); v == etag || v == "*" {
			c.Status(http.StatusNotModified)
			c.Abort()
			return true
		}
	}
	return false
}

// decodeBody decodes a body sent with Content-Encoding: gzip as it is read, and
// holds the decoded bytes to max too, so that a few kilobytes of gzip cannot
// unfold into gigabytes: past max, reads fail with an *http.MaxBytesError, which
// the handlers answer as the plain body's limit. Another coding is refused (415)
// naming the one accepted, as RFC 7694 asks.
func decodeBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		coding := strings.ToLower(strings.TrimSpace(c.GetHeader("Content-Encoding")))
		switch coding {
		case "", "identity":
			c.Next()
			return
		case "gzip", "x-gzip":
		default:
			c.Header("Accept-Encoding", "gzip")
			writeProblemField(c, http.StatusUnsupportedMediaType, ProblemUnsupportedEncoding,
				"encodage de contenu "+quote(c.GetHeader("Content-Encoding"))+" non pris en charge : envoyez le corps tel quel ou compressé en gzip (Content-Encoding: gzip)",
				"Content-Encoding", c.GetHeader("Content-Encoding"))
			return
		}
		zr, err := gzip.NewReader(c.Request.Body)
		if err != nil {
			writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "corps annoncé compressé en gzip (Content-Encoding) mais illisible : "+gzipReason(err),
				"Content-Encoding", c.GetHeader("Content-Encoding"))
			return
		}
		c.Request.Body = &decodedBody{r: http.MaxBytesReader(c.Writer, io.NopCloser(zr), max), zr: zr, raw: c.Request.Body}
		c.Request.Header.Del("Content-Encoding")
		c.Request.Header.Del("Content-Length")
		c.Request.ContentLength = -1
		c.Set(gzipBodyKey, true)
		c.Next()
	}
}

// gzipBodyKey marks a request whose body was sent in gzip, so that a refusal for
// its size says that the limit counts the decompressed bytes.
const gzipBodyKey = "zonage.gzipBody"

// tooLargeDetail says that a body is over the limit, naming it.
func tooLargeDetail(c *gin.Context, what string, limit int64) string {
	detail := fmt.Sprintf("%s trop volumineux : la limite est de %d octets", what, limit)
	if c.GetBool(gzipBodyKey) {
		detail += " une fois décompressé (gzip)"
	}
	return detail
}

// decodedBody reads a gzip body decoded and bounded; its read errors other than
// the bound's say that the gzip stream is at fault.
type decodedBody struct {
	r   io.ReadCloser
	zr  *gzip.Reader
	raw io.ReadCloser
}

func (b *decodedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			err = fmt.Errorf("corps gzip illisible : %s", gzipReason(err))
		}
	}
	return n, err
}

func (b *decodedBody) Close() error {
	b.zr.Close()
	return b.raw.Close()
}

// gzipReason says in French why a gzip stream cannot be read.
func gzipReason(err error) string {
	switch {
	case errors.Is(err, gzip.ErrHeader):
		return "ce n'est pas du gzip"
	case errors.Is(err, gzip.ErrChecksum):
		return "somme de contrôle fausse (fichier abîmé)"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "flux gzip tronqué"
	}
	return err.Error()
}
