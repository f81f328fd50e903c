package bangeocoder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"zonage/internal/retry"
)

// Base URLs of the public geocoder. Both answer the same /search/ and
// /search/csv/ contract; the legacy host flags its answers with
// "x-api-deprecated: true" and points to the Géoplateforme one.
const (
	GeoplateformeBaseURL = "https://data.geopf.fr/geocodage"
	LegacyBaseURL        = "https://api-adresse.data.gouv.fr"
)

// Defaults applied to the zero values of the Client fields.
const (
	// DefaultRequestsPerSecond is the published limit of the service: "50
	// requêtes par seconde depuis une même adresse IP"
	// (https://geoservices.ign.fr/documentation/services/services-geoplateforme/geocodage,
	// https://adresse.data.gouv.fr/api-doc/adresse).
	DefaultRequestsPerSecond = 50
	DefaultRetries           = 4
	DefaultRetryBaseDelay    = 500 * time.Millisecond
	DefaultCacheSize         = 10000
	DefaultBatchSize         = 5000
	DefaultUserAgent         = "zonage-bangeocoder"
)

// Backoff and Retry-After are capped so that a misbehaving proxy cannot park a
// batch for an hour; the context still bounds every wait.
const (
	maxBackoff    = 30 * time.Second
	maxRetryAfter = 2 * time.Minute
	// rateLimitPenalty is how long the service blocks an IP that exceeded 50
	// requests per second, each further call during the block extending it
	// ("le 51ème appel et les suivants sont bloqués [...] tant que [...] le
	// délai de 5 secondes qui s'en suit n'est pas écoulé",
	// https://adresse.data.gouv.fr/outils/api-doc/adresse). Retrying a 429
	// that came without Retry-After any sooner only prolongs the block.
	rateLimitPenalty = 5 * time.Second
	// errorBodyLimit keeps error messages readable when the server answers an
	// HTML page.
	errorBodyLimit = 300
)

// Client talks to one geocoder base URL. Its zero value is ready to use; its
// fields may be set before the first request. A Client is then safe for
// concurrent use, and all its goroutines share one rate limiter and one cache.
type Client struct {
	// BaseURL is the service root without the endpoint path, e.g.
	// GeoplateformeBaseURL or an httptest server URL.
	BaseURL string
	// HTTP sends the requests; nil uses a client whose transport gives up on a
	// server that sends no response headers within three minutes (a 5 000-row
	// CSV takes the real service several seconds).
	HTTP *http.Client
	// RequestsPerSecond caps the rate of requests of all goroutines together;
	// 0 selects DefaultRequestsPerSecond, a negative value disables the limit
	// (for a self-hosted addok).
	RequestsPerSecond float64
	// Retries is the number of new attempts after a 429, a 5xx or a network
	// error; 0 selects DefaultRetries, a negative value disables retries.
	Retries int
	// RetryBaseDelay is the first backoff delay, doubled at each attempt and
	// jittered; 0 selects DefaultRetryBaseDelay.
	RetryBaseDelay time.Duration
	// Cache keeps answers by normalised query; nil selects an in-memory LRU of
	// DefaultCacheSize entries. Use NoCache to disable caching.
	Cache Cache
	// UserAgent identifies the caller to the service operators; "" selects
	// DefaultUserAgent.
	UserAgent string
	// BatchSize is the number of rows SearchBatch sends in one /search/csv/
	// request; 0 selects DefaultBatchSize.
	BatchSize int

	once    sync.Once
	limiter *limiter
}

// init resolves the defaults once, at the first request.
func (c *Client) init() {
	c.once.Do(func() {
		if c.BaseURL == "" {
			c.BaseURL = GeoplateformeBaseURL
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
		if c.HTTP == nil {
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.ResponseHeaderTimeout = 3 * time.Minute
			c.HTTP = &http.Client{Transport: t}
		}
		rps := c.RequestsPerSecond
		if rps == 0 {
			rps = DefaultRequestsPerSecond
		}
		c.limiter = newLimiter(rps)
		if c.Retries == 0 {
			c.Retries = DefaultRetries
		}
		if c.RetryBaseDelay <= 0 {
			c.RetryBaseDelay = DefaultRetryBaseDelay
		}
		if c.Cache == nil {
			c.Cache = NewLRU(DefaultCacheSize)
		}
		if c.UserAgent == "" {
			c.UserAgent = DefaultUserAgent
		}
		if c.BatchSize <= 0 {
			c.BatchSize = DefaultBatchSize
		}
	})
}

// Error is what every failed request returns: the request, the last HTTP
// status seen (0 when none arrived) and the cause.
type Error struct {
	Method   string
	URL      string
	Status   int    // last HTTP status, 0 for a network error or a cancellation
	Attempts int    // requests sent, retries included
	Detail   string // start of the answer body, or what was wrong with it
	Err      error  // underlying network, context or decoding error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "géocodeur BAN : %s %s", e.Method, e.URL)
	switch {
	case (errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded)) && e.Attempts == 0:
		b.WriteString(" interrompu avant envoi")
	case errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded):
		fmt.Fprintf(&b, " interrompu après %s", plural(e.Attempts, "tentative"))
	case e.Status >= 200 && e.Status < 300:
		b.WriteString(" a donné une réponse inexploitable")
	case e.Status != 0:
		fmt.Fprintf(&b, " a répondu %d %s", e.Status, http.StatusText(e.Status))
		if !retryable(e.Status) {
			b.WriteString(" (requête refusée, pas de nouvel essai)")
		} else {
			fmt.Fprintf(&b, " après %s", plural(e.Attempts, "tentative"))
		}
	default:
		fmt.Fprintf(&b, " injoignable après %s", plural(e.Attempts, "tentative"))
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, " : %s", e.Detail)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " : %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func plural(n int, word string) string {
	if n > 1 {
		return fmt.Sprintf("%d %ss", n, word)
	}
	return fmt.Sprintf("%d %s", n, word)
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// do sends one request, waiting for the shared limiter before every attempt
// and retrying 429, 5xx and network errors. The body is a byte slice so that
// each attempt can resend it. On success the caller owns resp.Body.
func (c *Client) do(ctx context.Context, method, target string, body []byte, contentType string) (*http.Response, error) {
	c.init()
	fail := &Error{Method: method, URL: target}
	var resp *http.Response
	policy := retry.Policy{Retries: max(c.Retries, 0), BaseDelay: c.RetryBaseDelay, MaxDelay: maxBackoff, Jitter: true}
	_, err := retry.Do(ctx, policy, func(ctx context.Context, attempt int) error {
		if err := c.limiter.wait(ctx); err != nil {
			return retry.Permanent(err)
		}
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
		if err != nil {
			return retry.Permanent(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("User-Agent", c.UserAgent)
		fail.Attempts = attempt + 1

		r, err := c.HTTP.Do(req)
		switch {
		case err != nil:
			fail.Status, fail.Detail = 0, ""
			return unwrapURLError(err)
		case r.StatusCode >= 200 && r.StatusCode < 300:
			resp = r
			return nil
		}
		fail.Status, fail.Detail = r.StatusCode, readDetail(r.Body)
		if !retryable(r.StatusCode) {
			return retry.Permanent(errStatus)
		}
		wait := c.retryDelay(r.StatusCode, r.Header.Get("Retry-After"), attempt, time.Now())
		if r.StatusCode == http.StatusTooManyRequests {
			// The service keeps blocking an IP that goes on calling it, so
			// every goroutine of this client holds off, not only this one.
			c.limiter.pauseUntil(time.Now().Add(wait))
			wait = 0
		}
		return retry.After(errStatus, wait)
	})
	switch {
	case err == nil:
		return resp, nil
	case ctx.Err() != nil:
		fail.Err = ctx.Err()
	case err != errStatus:
		fail.Err = err
	}
	return nil, fail
}

// errStatus stands for an answer whose status is the failure; Error gives it.
var errStatus = errors.New("statut d'échec")

// retryDelay is the wait before retrying an answer with a retryable status:
// the server's Retry-After when it gives one, else the backoff, and for a 429
// at least the service's documented penalty.
func (c *Client) retryDelay(status int, retryAfterHeader string, attempt int, now time.Time) time.Duration {
	if d, ok := retryAfter(retryAfterHeader, now); ok {
		return d
	}
	d := c.backoff(attempt)
	if status == http.StatusTooManyRequests {
		d = max(d, rateLimitPenalty)
	}
	return d
}

// backoff is the delay before retry number attempt+1: exponential, with half
// of it random so that clients failing together do not retry together.
func (c *Client) backoff(attempt int) time.Duration {
	return retry.Policy{BaseDelay: c.RetryBaseDelay, MaxDelay: maxBackoff, Jitter: true}.Backoff(attempt)
}

// retryAfter reads a Retry-After header, capped at maxRetryAfter.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	d, ok := retry.ParseRetryAfter(v, now)
	return min(d, maxRetryAfter), ok
}

// readDetail reads the start of an error body and closes it, draining a little
// more so the connection can be reused.
func readDetail(body io.ReadCloser) string {
	defer body.Close()
	b, _ := io.ReadAll(io.LimitReader(body, errorBodyLimit+1))
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(b) > errorBodyLimit {
		s = strings.ToValidUTF8(s[:min(len(s), errorBodyLimit)], "") + "…"
	}
	return s
}

// unwrapURLError drops the *url.Error layer, whose text repeats the method and
// URL that Error already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// limiter spaces requests evenly at a fixed rate, with no burst: the service
// counts requests per second, and bursts at a second boundary would exceed it
// even when the average does not. After a 429 it also holds every request until
// the service's block is over.
type limiter struct {
	rate *rate.Limiter
	mu   sync.Mutex
	hold time.Time
}

func newLimiter(rps float64) *limiter {
	if rps <= 0 {
		return &limiter{rate: rate.NewLimiter(rate.Inf, 1)}
	}
	return &limiter{rate: rate.NewLimiter(rate.Limit(rps), 1)}
}

// wait waits out a hold, then for the next slot. A slot reserved by a caller whose
// context ends is not handed back: the limiter errs on the slow side.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	hold := l.hold
	l.mu.Unlock()
	if err := retry.Sleep(ctx, time.Until(hold)); err != nil {
		return err
	}
	if err := l.rate.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The next slot comes after the context's deadline: rate says so at once.
		return context.DeadlineExceeded
	}
	return nil
}

// pauseUntil holds every later request until t.
func (l *limiter) pauseUntil(t time.Time) {
	l.mu.Lock()
	if l.hold.Before(t) {
		l.hold = t
	}
	l.mu.Unlock()
}
