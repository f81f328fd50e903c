package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDo(t *testing.T) {
	errFlaky := errors.New("flaky")
	fast := Policy{Retries: 3, BaseDelay: time.Microsecond, MaxDelay: time.Millisecond}
	cases := []struct {
		name         string
		policy       Policy
		failures     int   // attempts that fail before one succeeds
		err          error // what a failing attempt returns
		wantAttempts int
		wantErr      error
	}{
		{"first attempt succeeds", fast, 0, errFlaky, 1, nil},
		{"succeeds on the third", fast, 2, errFlaky, 3, nil},
		{"retries spent", fast, 10, errFlaky, 4, errFlaky},
		{"no retries", Policy{}, 10, errFlaky, 1, errFlaky},
		{"permanent stops at once", fast, 10, Permanent(errFlaky), 1, errFlaky},
		{"after a given wait", fast, 2, After(errFlaky, 0), 3, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			attempts, err := Do(context.Background(), tc.policy, func(_ context.Context, attempt int) error {
				if attempt < tc.failures {
					return tc.err
				}
				return nil
			})
			if attempts != tc.wantAttempts || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("Do = %d, %v; want %d, %v", attempts, err, tc.wantAttempts, tc.wantErr)
			}
		})
	}
}

func TestDoStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	attempts, err := Do(ctx, Policy{Retries: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}, func(context.Context, int) error {
		cancel()
		return errors.New("down")
	})
	if attempts != 1 || err == nil || ctx.Err() == nil {
		t.Errorf("Do = %d, %v after cancel; want 1 attempt and an error", attempts, err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	attempts, err = Do(ctx, Policy{Retries: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}, func(context.Context, int) error {
		return errors.New("down")
	})
	if attempts != 1 || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do = %d, %v; want the wait cut by the deadline", attempts, err)
	}
}

func TestBackoff(t *testing.T) {
	p := Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		if got := p.Backoff(attempt); got != want*time.Millisecond {
			t.Errorf("Backoff(%d) = %v, want %v", attempt, got, want*time.Millisecond)
		}
	}
	if got := p.Backoff(200); got != time.Second {
		t.Errorf("Backoff(200) = %v, want the cap", got)
	}
	p.Jitter = true
	for range 50 {
		if d := p.Backoff(1); d < 100*time.Millisecond || d > 200*time.Millisecond {
			t.Fatalf("jittered Backoff(1) = %v, want within [100ms, 200ms]", d)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"5", 5 * time.Second, true},
		{" 0 ", 0, true},
		{"-3", 0, true},
		{"Sat, 01 Mar 2025 12:00:07 GMT", 7 * time.Second, true},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0, true},
		{"86400", 24 * time.Hour, true},
		{"bientôt", 0, false},
	}
	for _, tc := range cases {
		if got, ok := ParseRetryAfter(tc.header, now); got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}
