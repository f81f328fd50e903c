package importer

// Downloading the official sources into the data folder: one file per source,
// complete and verified or not at all, and the lock that records them.

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"zonage/internal/atomicfile"
	"zonage/internal/retry"
)

const (
	defaultRetries     = 3
	defaultRetryBase   = time.Second
	defaultStall       = 60 * time.Second
	maxBackoff         = 30 * time.Second
	maxRetryAfter      = 2 * time.Minute
	maxDownloadBytes   = 1 << 30  // no official source comes near; stops an endless response filling the disk
	maxAPIResponseSize = 16 << 20 // a data.gouv.fr dataset description is a few hundred kilobytes
	userAgent          = "zonage-import/1"
)

// DownloadOptions tune DownloadSources. The zero value is ready to use.
type DownloadOptions struct {
	// Client does the requests; nil means a client with connection and
	// response-header timeouts and no transparent decompression, so that
	// digests are computed on the bytes as published.
	Client *http.Client
	// Progress receives one French line per source; nil is silent.
	Progress io.Writer
	// BaseURLs rewrites the start of every fetched address, for mirrors and
	// tests: "https://www.data.gouv.fr" -> "http://127.0.0.1:1234". The lock
	// still records the official address.
	BaseURLs map[string]string
	// Retries is the number of new attempts after a network error, a 408, a 429
	// or a 5xx: 0 means 3, a negative value means none.
	Retries int
	// RetryBaseDelay is the first wait between attempts, doubled at each retry
	// (0 means one second). A Retry-After header replaces it.
	RetryBaseDelay time.Duration
	// StallTimeout abandons an attempt that receives no byte for this long
	// (0 means 60 s); the attempt is then retried like a network error.
	StallTimeout time.Duration
}

// ErrChecksumMismatch is wrapped by the error of a download whose content does
// not have the digest the manifest (or data.gouv.fr) announces.
var ErrChecksumMismatch = errors.New("empreinte inattendue")

// DownloadError is the failure of one source. Dest was left as it was: an
// earlier file stays, a missing one stays missing.
type DownloadError struct {
	ID       string
	Dest     string // as in the manifest, relative to the data folder
	Page     string // where a person can get the file instead
	Attempts int
	Err      error
}

func (e *DownloadError) Error() string {
	return fmt.Sprintf("source « %s » : %s", e.ID, e.detail())
}

// detail is the message without the source id, for lines that already start with it.
func (e *DownloadError) detail() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (%d essais)", e.Attempts)
	}
	fmt.Fprintf(&b, " ; rien n'a été écrit dans %s", e.Dest)
	if e.Page != "" {
		fmt.Fprintf(&b, " (à défaut, récupérez le fichier depuis %s et placez-le à cet endroit)", e.Page)
	}
	return b.String()
}

func (e *DownloadError) Unwrap() error { return e.Err }

// DownloadSources fetches every non-manual source of m into the data folder
// dest, then writes LockFileName there. Each file appears at its destination
// complete and verified, or not at all. A required source that cannot be
// fetched makes the returned error non-nil (all failures are joined); an
// optional one only produces a warning line. The lock is returned and written
// even then: it describes the files the folder holds.
func DownloadSources(ctx context.Context, m *Manifest, dest string, opt DownloadOptions) (*Lock, error) {
	if m == nil {
		return nil, &ManifestError{Reason: "manifeste absent"}
	}
	// A Manifest may be built by hand; DownloadSources must never write outside dest.
	if err := m.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, fmt.Errorf("dossier de données %s : création impossible : %w", dest, err)
	}
	d := newDownloader(opt)
	prev := readLock(dest)
	lock := &Lock{Sources: []LockedSource{}}
	var errs []error
	for i := range m.Sources {
		s := &m.Sources[i]
		if s.Fetch.Kind == FetchManual {
			d.linef("%s : source manuelle, non téléchargée — %s (%s)", s.ID, s.Fetch.Instructions, s.Page)
			lock.NotFetched = append(lock.NotFetched, NotFetched{ID: s.ID, Dest: s.Dest, Reason: "source manuelle : " + s.Fetch.Instructions})
			continue
		}
		if e, ok := reusable(s, dest, prev); ok {
			d.linef("%s : déjà présent, empreinte sha256 vérifiée → %s", s.ID, s.Dest)
			lock.Sources = append(lock.Sources, e)
			continue
		}
		e, attempts, err := d.fetch(ctx, s, dest)
		if err != nil {
			derr := &DownloadError{ID: s.ID, Dest: s.Dest, Page: s.Page, Attempts: attempts, Err: err}
			nf := NotFetched{ID: s.ID, Dest: s.Dest, Reason: err.Error()}
			if kept, ok := keepPrevious(s, dest, prev); ok {
				lock.Sources = append(lock.Sources, kept)
				nf.Reason += " ; fichier précédent conservé"
			}
			lock.NotFetched = append(lock.NotFetched, nf)
			if ctx.Err() != nil {
				d.linef("%s : interrompu", s.ID)
				errs = append(errs, derr)
				break
			}
			if s.Required {
				d.linef("%s : échec — %s", s.ID, derr.detail())
				errs = append(errs, derr)
			} else {
				d.linef("%s : avertissement, source facultative non téléchargée — %s ; l'import se fera sans elle", s.ID, derr.detail())
			}
			continue
		}
		retried := ""
		if attempts > 1 {
			retried = fmt.Sprintf(", %d essais", attempts)
		}
		d.linef("%s : téléchargé %s → %s (%s, sha256 %s%s)", s.ID, e.URL, s.Dest, frenchSize(e.Bytes), e.SHA256[:12], retried)
		lock.Sources = append(lock.Sources, e)
	}
	lock.GeneratedAt = time.Now().UTC().Truncate(time.Second)
	if err := writeLock(dest, lock); err != nil {
		errs = append(errs, err)
	}
	return lock, errors.Join(errs...)
}

type downloader struct {
	client   *http.Client
	progress io.Writer
	rewrites [][2]string // from, to; longest prefix first
	policy   retry.Policy
	stall    time.Duration
}

func newDownloader(opt DownloadOptions) *downloader {
	d := &downloader{
		client:   opt.Client,
		progress: opt.Progress,
		policy:   retry.Policy{Retries: opt.Retries, BaseDelay: opt.RetryBaseDelay, MaxDelay: maxBackoff},
		stall:    opt.StallTimeout,
	}
	if d.client == nil {
		d.client = defaultClient()
	}
	switch {
	case d.policy.Retries == 0:
		d.policy.Retries = defaultRetries
	case d.policy.Retries < 0:
		d.policy.Retries = 0
	}
	if d.policy.BaseDelay <= 0 {
		d.policy.BaseDelay = defaultRetryBase
	}
	if d.stall <= 0 {
		d.stall = defaultStall
	}
	for from, to := range opt.BaseURLs {
		d.rewrites = append(d.rewrites, [2]string{strings.TrimSuffix(from, "/"), strings.TrimSuffix(to, "/")})
	}
	sort.Slice(d.rewrites, func(i, j int) bool { return len(d.rewrites[i][0]) > len(d.rewrites[j][0]) })
	return d
}

// defaultClient has no overall timeout: the contour files take minutes on a slow
// link. A silent server is caught by the stall watchdog instead.
func defaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	t.TLSHandshakeTimeout = 15 * time.Second
	t.ResponseHeaderTimeout = 60 * time.Second
	return &http.Client{Transport: t}
}

func (d *downloader) linef(format string, args ...any) {
	if d.progress != nil {
		fmt.Fprintf(d.progress, format+"\n", args...)
	}
}

// rewrite applies BaseURLs. A prefix only matches up to a path boundary, so that
// "https://www.data.gouv.fr" does not capture "https://www.data.gouv.fr.example".
func (d *downloader) rewrite(raw string) string {
	for _, r := range d.rewrites {
		if rest, ok := strings.CutPrefix(raw, r[0]); ok && (rest == "" || strings.ContainsRune("/?#", rune(rest[0]))) {
			return r[1] + rest
		}
	}
	return raw
}

// fetch downloads one source to its destination and returns its lock entry and
// the number of attempts made.
func (d *downloader) fetch(ctx context.Context, s *SourceSpec, root string) (LockedSource, int, error) {
	target := filepath.Join(root, filepath.FromSlash(s.Dest))
	e := LockedSource{ID: s.ID, URL: s.Fetch.URL, Dest: s.Dest}
	var check *rawChecksum
	attemptsBefore := 0
	switch s.Fetch.Kind {
	case FetchDataGouv:
		res, resURL, n, err := d.resolveDataGouv(ctx, s)
		if err != nil {
			return e, n, err
		}
		attemptsBefore = n - 1
		e.URL, e.Resource, e.LastModified = resURL, res.Title, res.LastModified
		check = res.checksum()
	case FetchNPM:
		e.Member = s.Fetch.Member
	}
	transform := copyAll
	switch {
	case s.Fetch.Kind == FetchNPM:
		transform = extractMember(s.Fetch.Member)
	case s.Fetch.Gunzip:
		transform = gunzipAll
	}
	var header http.Header
	attempts, err := d.retry(ctx, func(ctx context.Context) error {
		return d.get(ctx, e.URL, func(resp *http.Response, body io.Reader) error {
			header = resp.Header
			sum, n, err := writeAtomic(target, s.SHA256, strings.HasSuffix(s.Dest, ".gz"), func(w io.Writer) error {
				return transformChecked(body, w, transform, check)
			})
			e.SHA256, e.Bytes = sum, n
			return err
		})
	})
	attempts += attemptsBefore
	if err != nil {
		return e, attempts, err
	}
	if u := d.rewrite(e.URL); u != e.URL {
		e.FetchedFrom = u
	}
	e.FetchedAt = time.Now().UTC().Truncate(time.Second)
	if e.LastModified == "" {
		e.LastModified = header.Get("Last-Modified")
	}
	e.ETag = header.Get("ETag")
	return e, attempts, nil
}

// writeAtomic writes what fill produces to target through atomicfile, so that an
// interrupted or rejected download never leaves a partial file under the name the
// importer reads, and returns its sha256 and size. A digest other than
// wantSHA256 (when given) or, with checkGzip, an incomplete gzip archive rejects it.
func writeAtomic(target, wantSHA256 string, checkGzip bool, fill func(io.Writer) error) (sum string, n int64, err error) {
	var fillErr error
	err = atomicfile.Write(target, func(f *os.File) error {
		h := sha256.New()
		w := &limitedWriter{w: io.MultiWriter(f, h), path: target, limit: maxDownloadBytes}
		fillErr = fill(w)
		n = w.n
		if fillErr != nil {
			return fillErr
		}
		sum = hex.EncodeToString(h.Sum(nil))
		if wantSHA256 != "" && sum != wantSHA256 {
			fillErr = permanent(fmt.Errorf("%w : sha256 attendue %s, obtenue %s ; le fichier téléchargé n'a pas été conservé", ErrChecksumMismatch, wantSHA256, sum))
			return fillErr
		}
		if checkGzip {
			if err := verifyGzip(f); err != nil {
				fillErr = permanent(fmt.Errorf("le fichier reçu n'est pas une archive gzip complète (%v) ; il n'a pas été conservé", err))
				return fillErr
			}
		}
		return nil
	})
	if err != nil && fillErr == nil {
		// The disk, not the source: another attempt would not help.
		err = permanent(err)
	}
	return sum, n, err
}

// verifyGzip reads the whole file back through gzip: a file kept compressed is
// only read at import time, and a truncated archive must be caught here.
func verifyGzip(f *os.File) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, zr)
	return err
}

type limitedWriter struct {
	w     io.Writer
	path  string
	n     int64
	limit int64
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n+int64(len(p)) > l.limit {
		return 0, permanent(fmt.Errorf("%s : fichier de plus de %s, refusé", l.path, frenchSize(l.limit)))
	}
	n, err := l.w.Write(p)
	l.n += int64(n)
	if err != nil {
		return n, permanent(fmt.Errorf("écriture de %s : %w", l.path, err))
	}
	return n, nil
}

// frenchSize writes a byte count the way a French reader expects: "12,3 Mo".
func frenchSize(n int64) string {
	var s string
	switch {
	case n < 1000:
		return fmt.Sprintf("%d o", n)
	case n < 1000*1000:
		s = fmt.Sprintf("%.1f ko", float64(n)/1e3)
	case n < 1000*1000*1000:
		s = fmt.Sprintf("%.1f Mo", float64(n)/1e6)
	default:
		s = fmt.Sprintf("%.1f Go", float64(n)/1e9)
	}
	return strings.Replace(s, ".", ",", 1)
}
