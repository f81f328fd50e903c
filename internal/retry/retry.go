// Package retry runs an operation again after a failure that another attempt may
// fix, waiting longer each time or as long as the server asked. It is the one
// retry loop of the module: the source downloads and the BAN geocoder client use it.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Policy says how many times and how long to wait.
type Policy struct {
	// Retries is the number of new attempts after the first; 0 or less means none.
	Retries int
	// BaseDelay is the first wait, doubled at each retry up to MaxDelay.
	BaseDelay, MaxDelay time.Duration
	// Jitter makes half of each wait random, so that clients failing together do
	// not retry together.
	Jitter bool
}

// Backoff is the wait before retry number attempt+1 (attempt 0 is the first retry).
func (p Policy) Backoff(attempt int) time.Duration {
	d := p.BaseDelay << min(attempt, 20)
	if d <= 0 || d > p.MaxDelay {
		d = p.MaxDelay
	}
	if !p.Jitter {
		return d
	}
	half := d / 2
	return half + rand.N(half+1)
}

// permanentError marks a failure that another attempt would not fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that no retry can fix (a 404, a digest mismatch, a
// disk error); nil stays nil.
func Permanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// afterError asks for the next attempt after a given wait instead of the backoff.
type afterError struct {
	err  error
	wait time.Duration
}

func (e *afterError) Error() string { return e.err.Error() }
func (e *afterError) Unwrap() error { return e.err }

// After asks for the next attempt, if any, to come after wait rather than after the
// policy's backoff: the server's Retry-After, or zero when the caller already holds
// its requests back.
func After(err error, wait time.Duration) error { return &afterError{err, wait} }

// Do runs op until it succeeds, returns a Permanent error, ctx ends or the retries
// are spent, and returns the number of attempts made and op's last error. op is
// given the number of the attempt, from 0. When ctx ends, the error is op's last
// one or, if ctx ended during a wait, ctx's: the caller checks ctx to say so.
func Do(ctx context.Context, p Policy, op func(ctx context.Context, attempt int) error) (int, error) {
	for attempt := 0; ; attempt++ {
		err := op(ctx, attempt)
		if err == nil || ctx.Err() != nil || IsPermanent(err) || attempt >= p.Retries {
			return attempt + 1, err
		}
		wait := p.Backoff(attempt)
		var a *afterError
		if errors.As(err, &a) {
			wait = a.wait
		}
		if serr := Sleep(ctx, wait); serr != nil {
			return attempt + 1, serr
		}
	}
}

// Sleep waits for d, or returns ctx's error as soon as ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ParseRetryAfter reads a Retry-After header, in seconds or as an HTTP date; a date
// in the past or a negative count is no wait. It does not cap the wait: each caller
// knows how long it can afford.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
