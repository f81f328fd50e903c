package bangeocoder

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestRetryOn429HonoursRetryAfter(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec.record(r) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write(readFixture(t, "search_housenumber.json"))
	}))
	defer srv.Close()

	r, err := testClient(srv.URL).Search(context.Background(), Query{Text: "12 rue de Vaugirard 75006 Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Citycode != "75106" {
		t.Errorf("citycode = %q, want 75106", r.Citycode)
	}
	times := rec.arrivals()
	if len(times) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < 950*time.Millisecond {
		t.Errorf("retry came %v after the 429, want at least the Retry-After second", gap)
	}
}

func TestA429PausesEveryGoroutine(t *testing.T) {
	rec := &recorder{}
	sent429 := make(chan time.Time, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec.record(r) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			sent429 <- time.Now()
			return
		}
		_, _ = w.Write(readFixture(t, "search_empty.json"))
	}))
	defer srv.Close()
	c := testClient(srv.URL)

	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := c.Search(context.Background(), Query{Text: "première adresse"}); err != nil {
			t.Error(err)
		}
	})
	at429 := <-sent429
	// Leave the client time to read the 429 before another goroutine asks.
	time.Sleep(100 * time.Millisecond)
	if _, err := c.Search(context.Background(), Query{Text: "seconde adresse"}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, at := range rec.arrivals()[1:] {
		if gap := at.Sub(at429); gap < 950*time.Millisecond {
			t.Errorf("request %d came %v after the 429, want the whole client paused for 1 s", i+2, gap)
		}
	}
}

func TestRetryOn503(t *testing.T) {
	rec := &recorder{}
	srv := jsonServer(t, rec, func(n int, _ *http.Request) (int, string) {
		if n <= 2 {
			return http.StatusServiceUnavailable, "<html><body>Service Unavailable</body></html>"
		}
		return http.StatusOK, "search_municipality.json"
	})
	r, err := testClient(srv.URL).Search(context.Background(), Query{Text: "Guéret"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Found || r.Citycode != "23096" {
		t.Errorf("r = %+v", r)
	}
	if rec.count() != 3 {
		t.Errorf("server saw %d requests, want 3", rec.count())
	}
}

func TestNoRetryOn400(t *testing.T) {
	rec := &recorder{}
	srv := jsonServer(t, rec, func(int, *http.Request) (int, string) {
		return http.StatusBadRequest, `{"code":400,"message":"q must contain between 3 and 200 chars"}`
	})
	_, err := testClient(srv.URL).Search(context.Background(), Query{Text: "ab"})
	if err == nil {
		t.Fatal("want an error")
	}
	if rec.count() != 1 {
		t.Errorf("server saw %d requests, want 1 (no retry on 400)", rec.count())
	}
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Attempts != 1 {
		t.Fatalf("err = %#v", err)
	}
	msg := err.Error()
	for _, want := range []string{"géocodeur BAN", "GET " + srv.URL + "/search/?", "400 Bad Request", "pas de nouvel essai", "between 3 and 200 chars"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestRetriesExhausted(t *testing.T) {
	rec := &recorder{}
	srv := jsonServer(t, rec, func(int, *http.Request) (int, string) { return http.StatusBadGateway, "Bad Gateway" })
	_, err := testClient(srv.URL, func(c *Client) { c.Retries = 2 }).Search(context.Background(), Query{Text: "8 bd du port"})
	if rec.count() != 3 {
		t.Errorf("server saw %d requests, want 3 (1 + 2 retries)", rec.count())
	}
	if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway après 3 tentatives") {
		t.Errorf("err = %v", err)
	}
}

func TestNegativeRetriesDisableRetrying(t *testing.T) {
	rec := &recorder{}
	srv := jsonServer(t, rec, func(int, *http.Request) (int, string) { return http.StatusServiceUnavailable, "" })
	if _, err := testClient(srv.URL, func(c *Client) { c.Retries = -1 }).Search(context.Background(), Query{Text: "x y z"}); err == nil {
		t.Fatal("want an error")
	}
	if rec.count() != 1 {
		t.Errorf("server saw %d requests, want 1", rec.count())
	}
}

func TestRetryOnNetworkError(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec.record(r) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		_, _ = w.Write(readFixture(t, "search_municipality.json"))
	}))
	defer srv.Close()
	r, err := testClient(srv.URL).Search(context.Background(), Query{Text: "Guéret"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Found || rec.count() != 2 {
		t.Errorf("found = %v after %d requests, want found after 2", r.Found, rec.count())
	}
}

func TestUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := testClient(url, func(c *Client) { c.Retries = 1 }).Search(context.Background(), Query{Text: "Guéret"})
	if err == nil || !strings.Contains(err.Error(), "injoignable après 2 tentatives") || !strings.Contains(err.Error(), url) {
		t.Errorf("err = %v", err)
	}
}

// With a limit of N requests per second, the server must never see more than
// N+1 requests in any one-second window, however many goroutines ask.
func TestRateLimitSharedByGoroutines(t *testing.T) {
	const perSecond, total, workers = 20, 30, 6
	rec := &recorder{}
	srv := jsonServer(t, rec, func(int, *http.Request) (int, string) { return http.StatusOK, "search_empty.json" })
	c := testClient(srv.URL, func(c *Client) { c.RequestsPerSecond = perSecond })

	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if _, err := c.Search(context.Background(), Query{Text: fmt.Sprintf("%d rue de la Paix", i)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for i := range total {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	times := rec.arrivals()
	if len(times) != total {
		t.Fatalf("server saw %d requests, want %d", len(times), total)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i := 0; i+perSecond+1 < len(times); i++ {
		if span := times[i+perSecond+1].Sub(times[i]); span <= time.Second {
			t.Errorf("requests %d to %d arrived within %v: more than %d in one second", i+1, i+perSecond+2, span, perSecond+1)
		}
	}
	if span := times[len(times)-1].Sub(times[0]); span < 1400*time.Millisecond {
		t.Errorf("%d requests spread over %v, want about %v", total, span, time.Duration(total-1)*time.Second/perSecond)
	}
}

func TestContextCancelledDuringRetryWait(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := testClient(srv.URL).Search(ctx, Query{Text: "12 rue de Vaugirard"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Search returned %v after cancellation began", elapsed)
	}
	if !strings.Contains(err.Error(), "interrompu") {
		t.Errorf("message = %q", err)
	}
	if rec.count() != 1 {
		t.Errorf("server saw %d requests, want 1", rec.count())
	}
}

func TestContextDeadlineDuringRequest(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := testClient(srv.URL).Search(ctx, Query{Text: "12 rue de Vaugirard"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestContextCancelledWhileRateLimited(t *testing.T) {
	rec := &recorder{}
	srv := jsonServer(t, rec, func(int, *http.Request) (int, string) { return http.StatusOK, "search_empty.json" })
	c := testClient(srv.URL, func(c *Client) { c.RequestsPerSecond = 1 })
	if _, err := c.Search(context.Background(), Query{Text: "première adresse"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Search(ctx, Query{Text: "seconde adresse"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if rec.count() != 1 {
		t.Errorf("server saw %d requests, want 1: the second must not pass the limiter", rec.count())
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		header string
		want   time.Duration
		ok     bool
	}{
		{"absent", "", 0, false},
		{"seconds", "5", 5 * time.Second, true},
		{"zero", "0", 0, true},
		{"http date", "Sat, 01 Mar 2025 12:00:07 GMT", 7 * time.Second, true},
		{"date in the past", "Sat, 01 Mar 2025 11:00:00 GMT", 0, true},
		{"capped", "86400", maxRetryAfter, true},
		{"garbage", "bientôt", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := retryAfter(tc.header, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.header, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	c := &Client{RetryBaseDelay: 100 * time.Millisecond}
	c.init()
	for attempt, base := range []time.Duration{100, 200, 400, 800} {
		base *= time.Millisecond
		for range 20 {
			if d := c.backoff(attempt); d < base/2 || d > base {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, base/2, base)
			}
		}
	}
	if d := c.backoff(40); d > maxBackoff {
		t.Errorf("backoff(40) = %v, want at most %v", d, maxBackoff)
	}
}

func TestDefaults(t *testing.T) {
	c := &Client{}
	c.init()
	if c.BaseURL != GeoplateformeBaseURL || c.Retries != DefaultRetries || c.RetryBaseDelay != DefaultRetryBaseDelay ||
		c.BatchSize != DefaultBatchSize || c.UserAgent != DefaultUserAgent || c.HTTP == nil {
		t.Errorf("defaults not applied: %+v", c)
	}
	if _, ok := c.Cache.(*LRU); !ok {
		t.Errorf("cache = %T, want *LRU", c.Cache)
	}
	if want := rate.Limit(DefaultRequestsPerSecond); c.limiter.rate.Limit() != want {
		t.Errorf("limiter rate = %v, want %v", c.limiter.rate.Limit(), want)
	}
	legacy := &Client{BaseURL: LegacyBaseURL + "/"}
	legacy.init()
	if legacy.BaseURL != LegacyBaseURL {
		t.Errorf("BaseURL = %q, want the trailing slash trimmed", legacy.BaseURL)
	}
}

func TestRetryDelay(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	c := &Client{RetryBaseDelay: 100 * time.Millisecond}
	c.init()
	cases := []struct {
		name     string
		status   int
		header   string
		min, max time.Duration
	}{
		{"429 with Retry-After", http.StatusTooManyRequests, "2", 2 * time.Second, 2 * time.Second},
		{"429 without Retry-After waits out the block", http.StatusTooManyRequests, "", rateLimitPenalty, rateLimitPenalty},
		{"503 with Retry-After", http.StatusServiceUnavailable, "3", 3 * time.Second, 3 * time.Second},
		{"503 without Retry-After backs off", http.StatusServiceUnavailable, "", 50 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if d := c.retryDelay(tc.status, tc.header, 0, now); d < tc.min || d > tc.max {
				t.Errorf("retryDelay = %v, want within [%v, %v]", d, tc.min, tc.max)
			}
		})
	}
}
