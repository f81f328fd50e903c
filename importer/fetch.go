package importer

// Fetching one address: retries with backoff or the server's Retry-After, and a
// watchdog that abandons an attempt on which no byte arrives.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"zonage/internal/retry"
)

// permanent marks a failure that another attempt would not fix: a 404, a digest
// mismatch, a malformed archive, a local disk error.
func permanent(err error) error { return retry.Permanent(err) }

type httpStatusError struct {
	URL    string
	Code   int
	Status string
}

func (e *httpStatusError) Error() string {
	msg := fmt.Sprintf("GET %s : le serveur a répondu %s", e.URL, e.Status)
	switch e.Code {
	case http.StatusNotFound, http.StatusGone:
		msg += " (adresse introuvable : elle a peut-être changé)"
	case http.StatusUnauthorized, http.StatusForbidden:
		msg += " (accès refusé)"
	}
	return msg
}

func statusError(rawURL string, resp *http.Response) error {
	e := &httpStatusError{URL: rawURL, Code: resp.StatusCode, Status: resp.Status}
	if e.Status == "" {
		e.Status = strconv.Itoa(resp.StatusCode)
	}
	if resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		if wait, ok := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return retry.After(e, min(wait, maxRetryAfter))
		}
		return e
	}
	return permanent(e)
}

// retry runs op until it succeeds, fails permanently, the context ends or the
// retries are spent, and returns the number of attempts.
func (d *downloader) retry(ctx context.Context, op func(context.Context) error) (int, error) {
	attempts, err := retry.Do(ctx, d.policy, func(ctx context.Context, _ int) error { return op(ctx) })
	if err != nil && ctx.Err() != nil {
		return attempts, fmt.Errorf("téléchargement interrompu : %w", context.Cause(ctx))
	}
	return attempts, err
}

var errStalled = errors.New("transfert bloqué")

// get makes one GET request and hands a 200 response to handle. A watchdog
// cancels the attempt when no byte arrives for d.stall, which a total timeout
// could not do without also cutting long, healthy transfers.
func (d *downloader) get(ctx context.Context, rawURL string, handle func(*http.Response, io.Reader) error) error {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(d.stall, func() { cancel(errStalled) })
	defer watchdog.Stop()
	fetchURL := d.rewrite(rawURL)
	req, err := http.NewRequestWithContext(actx, http.MethodGet, fetchURL, nil)
	if err != nil {
		return permanent(fmt.Errorf("GET %s : requête impossible (%v)", rawURL, err))
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := d.client.Do(req)
	if err != nil {
		return d.networkError(actx, fetchURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Reading a little of the body lets the connection be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return statusError(fetchURL, resp)
	}
	watchdog.Reset(d.stall)
	err = handle(resp, &stallReader{r: resp.Body, watchdog: watchdog, stall: d.stall})
	if err != nil && context.Cause(actx) == errStalled {
		return fmt.Errorf("GET %s : aucune donnée reçue pendant %s", fetchURL, d.stall)
	}
	if err != nil && !retry.IsPermanent(err) && ctx.Err() == nil {
		return fmt.Errorf("GET %s : transfert interrompu (%w)", fetchURL, err)
	}
	return err
}

func (d *downloader) networkError(actx context.Context, fetchURL string, err error) error {
	if context.Cause(actx) == errStalled {
		return fmt.Errorf("GET %s : pas de réponse du serveur pendant %s", fetchURL, d.stall)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("GET %s : échec réseau (%w)", fetchURL, err)
}

// stallReader pushes the watchdog back each time bytes arrive.
type stallReader struct {
	r        io.Reader
	watchdog *time.Timer
	stall    time.Duration
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.watchdog.Reset(s.stall)
	}
	return n, err
}
