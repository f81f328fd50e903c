package importer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Fetch kinds of a source in the manifest.
const (
	FetchURL      = "url"      // a plain file at a fixed address
	FetchDataGouv = "datagouv" // the current resource of a data.gouv.fr dataset, resolved through its API
	FetchNPM      = "npm"      // one member file of a published npm tarball
	FetchManual   = "manual"   // no stable address: listed with instructions, never fetched
)

// LockFileName is the file DownloadSources writes at the root of the data folder:
// what was fetched, from where, when, and the digest of each file.
const LockFileName = "SOURCES.lock.json"

// manifestVersion is the only layout of sources.json this code reads; a manifest
// written for another layout must be refused rather than half understood.
const manifestVersion = 1

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

// Manifest is the list of official sources (data/sources.json).
type Manifest struct {
	Version int          `json:"version"`
	Notes   string       `json:"notes,omitempty"`
	Sources []SourceSpec `json:"sources"`
}

// SourceSpec describes one official source: what it is, under which licence,
// how to fetch it and where it goes in the data folder.
type SourceSpec struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Publisher string    `json:"publisher"`
	Licence   string    `json:"licence"`
	Vintage   string    `json:"vintage"`
	Page      string    `json:"page,omitempty"` // page for a human: where to read about the source or get it by hand
	Fetch     FetchSpec `json:"fetch"`
	Dest      string    `json:"dest"`             // slash-separated path relative to the data folder
	SHA256    string    `json:"sha256,omitempty"` // digest of the file as written at Dest, when its content is fixed
	Required  bool      `json:"required"`
	Notes     string    `json:"notes,omitempty"`
}

// FetchSpec says how a source is fetched. Which fields apply depends on Kind.
type FetchSpec struct {
	Kind string `json:"kind"`
	// URL is the file (url), the data.gouv.fr API address of the dataset
	// (datagouv) or the tarball (npm).
	URL string `json:"url,omitempty"`
	// Gunzip decompresses a gzip download before writing it (url, datagouv).
	Gunzip bool `json:"gunzip,omitempty"`
	// Resource is a regular expression matched against each data.gouv.fr
	// resource's URL and title; Format, when set, must equal its format.
	Resource string `json:"resource,omitempty"`
	Format   string `json:"format,omitempty"`
	// Member is the path of the wanted file inside the npm tarball.
	Member string `json:"member,omitempty"`
	// Instructions tell a person how to get a manual source.
	Instructions string `json:"instructions,omitempty"`
}

// ManifestError is a problem in the source manifest. Its message names the
// source and the field so that the manifest can be corrected.
type ManifestError struct {
	ID     string // source id; empty when the problem is about the whole manifest
	Field  string
	Value  string
	Reason string
}

func (e *ManifestError) Error() string {
	var b strings.Builder
	b.WriteString("manifeste des sources")
	if e.ID != "" {
		fmt.Fprintf(&b, ", source « %s »", e.ID)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", champ « %s »", e.Field)
	}
	if e.Value != "" {
		fmt.Fprintf(&b, ", valeur « %s »", e.Value)
	}
	b.WriteString(" : ")
	b.WriteString(e.Reason)
	return b.String()
}

var (
	sourceIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)
	sha256Pattern   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ParseManifest reads and validates a source manifest. Unknown fields are
// refused: a misspelt "sha256" would otherwise silently disable a check.
func ParseManifest(b []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, &ManifestError{Reason: "JSON illisible (" + err.Error() + ")"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ManifestError{Reason: "contenu inattendu après l'objet JSON"}
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// validate reports every problem at once, so that whoever edits the manifest
// fixes it in one pass.
func (m *Manifest) validate() error {
	var errs []error
	bad := func(id, field, value, reason string) {
		errs = append(errs, &ManifestError{ID: id, Field: field, Value: value, Reason: reason})
	}
	if m.Version != manifestVersion {
		bad("", "version", strconv.Itoa(m.Version), fmt.Sprintf("version non prise en charge (attendu %d)", manifestVersion))
	}
	if len(m.Sources) == 0 {
		bad("", "sources", "", "aucune source")
	}
	ids := map[string]bool{}
	dests := map[string]string{}
	for i, s := range m.Sources {
		id := s.ID
		switch {
		case id == "":
			id = fmt.Sprintf("#%d", i+1)
			bad(id, "id", "", "identifiant manquant")
		case !sourceIDPattern.MatchString(id):
			bad(id, "id", id, "identifiant invalide (minuscules, chiffres, « _ », « - », « . »)")
		case ids[id]:
			bad(id, "id", id, "identifiant en double")
		}
		ids[id] = true
		for _, f := range []struct{ name, value string }{
			{"title", s.Title}, {"publisher", s.Publisher}, {"licence", s.Licence}, {"vintage", s.Vintage},
		} {
			if strings.TrimSpace(f.value) == "" {
				bad(id, f.name, "", "champ obligatoire vide")
			}
		}
		if s.Page != "" {
			if reason := checkHTTPURL(s.Page); reason != "" {
				bad(id, "page", s.Page, reason)
			}
		}
		if reason := checkDest(s.Dest); reason != "" {
			bad(id, "dest", s.Dest, reason)
		} else if other, dup := dests[s.Dest]; dup {
			bad(id, "dest", s.Dest, fmt.Sprintf("même destination que la source « %s »", other))
		} else {
			dests[s.Dest] = id
		}
		if s.SHA256 != "" && !sha256Pattern.MatchString(s.SHA256) {
			bad(id, "sha256", s.SHA256, "empreinte invalide (64 chiffres hexadécimaux en minuscules)")
		}
		f := s.Fetch
		switch f.Kind {
		case FetchURL, FetchDataGouv, FetchNPM:
			if f.URL == "" {
				bad(id, "fetch.url", "", fmt.Sprintf("adresse manquante pour une source de type « %s »", f.Kind))
			} else if reason := checkHTTPURL(f.URL); reason != "" {
				bad(id, "fetch.url", f.URL, reason)
			}
		case FetchManual:
			if strings.TrimSpace(f.Instructions) == "" {
				bad(id, "fetch.instructions", "", "une source manuelle doit dire comment l'obtenir")
			}
			if s.Page == "" {
				bad(id, "page", "", "une source manuelle doit donner la page où l'obtenir")
			}
			if s.Required {
				bad(id, "required", "true", "une source manuelle n'est jamais téléchargée : elle ne peut pas être requise")
			}
		case "":
			bad(id, "fetch.kind", "", "type de récupération manquant (url, datagouv, npm ou manual)")
		default:
			bad(id, "fetch.kind", f.Kind, "type de récupération inconnu (attendu url, datagouv, npm ou manual)")
		}
		if f.Kind == FetchDataGouv {
			if f.Resource == "" {
				bad(id, "fetch.resource", "", "motif de ressource manquant")
			} else if _, err := regexp.Compile(f.Resource); err != nil {
				bad(id, "fetch.resource", f.Resource, "expression régulière invalide ("+err.Error()+")")
			}
		}
		if f.Kind == FetchNPM {
			if f.Member == "" {
				bad(id, "fetch.member", "", "fichier de l'archive manquant")
			} else if path.Clean(f.Member) != f.Member || path.IsAbs(f.Member) {
				bad(id, "fetch.member", f.Member, "chemin non normalisé dans l'archive")
			}
		}
		if f.Gunzip {
			if f.Kind != FetchURL && f.Kind != FetchDataGouv {
				bad(id, "fetch.gunzip", "true", "décompression possible seulement pour les types url et datagouv")
			}
			if strings.HasSuffix(s.Dest, ".gz") {
				bad(id, "fetch.gunzip", "true", "la destination se termine par .gz alors que le fichier est décompressé")
			}
		}
	}
	return errors.Join(errs...)
}

// checkDest returns why dest cannot be a destination inside the data folder, or "".
func checkDest(dest string) string {
	switch {
	case dest == "":
		return "destination manquante"
	case strings.Contains(dest, `\`):
		return "séparez les dossiers par « / »"
	case path.IsAbs(dest) || filepath.IsAbs(dest) || filepath.VolumeName(dest) != "":
		return "chemin absolu refusé : la destination doit rester dans le dossier de données"
	}
	for _, part := range strings.Split(dest, "/") {
		if part == ".." {
			return "« .. » refusé : la destination doit rester dans le dossier de données"
		}
	}
	switch {
	case path.Clean(dest) != dest || dest == ".":
		return "chemin non normalisé (pas de « // », « ./ » ni « / » final)"
	case !filepath.IsLocal(filepath.FromSlash(dest)):
		return "chemin hors du dossier de données"
	case dest == LockFileName:
		return LockFileName + " est réservé au fichier de verrouillage"
	}
	return ""
}

func checkHTTPURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "adresse invalide"
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "adresse http(s) attendue"
	}
	if u.Host == "" {
		return "adresse sans nom d'hôte"
	}
	return ""
}

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

// Lock records what DownloadSources left in the data folder.
type Lock struct {
	GeneratedAt time.Time      `json:"generated_at"`
	Sources     []LockedSource `json:"sources"`
	NotFetched  []NotFetched   `json:"not_fetched,omitempty"`
}

// LockedSource is one file present in the data folder and where it came from.
type LockedSource struct {
	ID           string    `json:"id"`
	URL          string    `json:"url"`                    // official address, resolved (data.gouv.fr) when needed
	FetchedFrom  string    `json:"fetched_from,omitempty"` // the address actually used, when BaseURLs rewrote it
	Resource     string    `json:"resource,omitempty"`     // data.gouv.fr resource title
	Member       string    `json:"member,omitempty"`       // file taken from the npm tarball
	Dest         string    `json:"dest"`
	SHA256       string    `json:"sha256"`
	Bytes        int64     `json:"bytes"`
	FetchedAt    time.Time `json:"fetched_at"`
	LastModified string    `json:"last_modified,omitempty"`
	ETag         string    `json:"etag,omitempty"`
}

// NotFetched is a source that this run did not download, and why.
type NotFetched struct {
	ID     string `json:"id"`
	Dest   string `json:"dest"`
	Reason string `json:"reason"`
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
	client    *http.Client
	progress  io.Writer
	rewrites  [][2]string // from, to; longest prefix first
	retries   int
	baseDelay time.Duration
	stall     time.Duration
}

func newDownloader(opt DownloadOptions) *downloader {
	d := &downloader{
		client:    opt.Client,
		progress:  opt.Progress,
		retries:   opt.Retries,
		baseDelay: opt.RetryBaseDelay,
		stall:     opt.StallTimeout,
	}
	if d.client == nil {
		d.client = defaultClient()
	}
	switch {
	case d.retries == 0:
		d.retries = defaultRetries
	case d.retries < 0:
		d.retries = 0
	}
	if d.baseDelay <= 0 {
		d.baseDelay = defaultRetryBase
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

// permanentError marks a failure that another attempt would not fix: a 404, a
// digest mismatch, a malformed archive, a local disk error.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

func permanent(err error) error {
	if err == nil {
		return nil
	}
	var p *permanentError
	if errors.As(err, &p) {
		return err
	}
	return &permanentError{err}
}

type httpStatusError struct {
	URL           string
	Code          int
	Status        string
	retryAfter    time.Duration
	hasRetryAfter bool
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
	e.retryAfter, e.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return e
	}
	return permanent(e)
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// retry runs op until it succeeds, fails permanently, the context ends or the
// retries are spent, and returns the number of attempts.
func (d *downloader) retry(ctx context.Context, op func(context.Context) error) (int, error) {
	for attempt := 0; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return attempt + 1, nil
		}
		if ctx.Err() != nil {
			return attempt + 1, fmt.Errorf("téléchargement interrompu : %w", context.Cause(ctx))
		}
		var p *permanentError
		if errors.As(err, &p) || attempt >= d.retries {
			return attempt + 1, err
		}
		wait := min(d.baseDelay<<attempt, maxBackoff)
		var se *httpStatusError
		if errors.As(err, &se) && se.hasRetryAfter {
			wait = min(se.retryAfter, maxRetryAfter)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return attempt + 1, fmt.Errorf("téléchargement interrompu : %w", context.Cause(ctx))
		case <-t.C:
		}
	}
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
	var p *permanentError
	if err != nil && !errors.As(err, &p) && ctx.Err() == nil {
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

// writeAtomic writes what fill produces to a temporary file next to target and
// renames it over target only once it is complete and verified, so that an
// interrupted or rejected download never leaves a partial file under the name
// the importer reads. The temporary name starts with a dot and does not match
// the importer's patterns.
func writeAtomic(target, wantSHA256 string, checkGzip bool, fill func(io.Writer) error) (sum string, n int64, err error) {
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, permanent(fmt.Errorf("dossier %s : création impossible : %w", dir, err))
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".*.part")
	if err != nil {
		return "", 0, permanent(fmt.Errorf("fichier temporaire dans %s : %w", dir, err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	w := &limitedWriter{w: io.MultiWriter(f, h), path: target, limit: maxDownloadBytes}
	if err := fill(w); err != nil {
		return "", w.n, err
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if wantSHA256 != "" && sum != wantSHA256 {
		return sum, w.n, permanent(fmt.Errorf("%w : sha256 attendue %s, obtenue %s ; le fichier téléchargé n'a pas été conservé", ErrChecksumMismatch, wantSHA256, sum))
	}
	if checkGzip {
		if err := verifyGzip(f); err != nil {
			return sum, w.n, permanent(fmt.Errorf("le fichier reçu n'est pas une archive gzip complète (%v) ; il n'a pas été conservé", err))
		}
	}
	if err := f.Sync(); err != nil {
		return sum, w.n, permanent(fmt.Errorf("écriture de %s : %w", tmp, err))
	}
	if err := f.Close(); err != nil {
		return sum, w.n, permanent(fmt.Errorf("écriture de %s : %w", tmp, err))
	}
	// CreateTemp makes the file private; these are public data files.
	if err := os.Chmod(tmp, 0o644); err != nil {
		return sum, w.n, permanent(fmt.Errorf("droits de %s : %w", tmp, err))
	}
	if err := os.Rename(tmp, target); err != nil {
		return sum, w.n, permanent(fmt.Errorf("remplacement de %s : %w", target, err))
	}
	return sum, w.n, nil
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

func copyAll(r io.Reader, w io.Writer) error {
	_, err := io.Copy(w, r)
	return err
}

func gunzipAll(r io.Reader, w io.Writer) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return decodeError(err)
	}
	_, err = io.Copy(w, zr)
	return decodeError(err)
}

// extractMember streams the tarball: the npm archives are a few megabytes and
// only one of their files is kept.
func extractMember(member string) func(io.Reader, io.Writer) error {
	return func(r io.Reader, w io.Writer) error {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return decodeError(err)
		}
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return permanent(fmt.Errorf("le fichier %s est absent de l'archive npm", member))
			}
			if err != nil {
				return decodeError(err)
			}
			if path.Clean(strings.TrimPrefix(h.Name, "./")) != member {
				continue
			}
			if h.Typeflag != tar.TypeReg {
				return permanent(fmt.Errorf("%s n'est pas un fichier ordinaire dans l'archive npm", member))
			}
			_, err = io.Copy(w, tr)
			return decodeError(err)
		}
	}
}

// decodeError makes a malformed archive permanent (the server sent something
// else, such as an HTML page) while a truncated one stays retryable.
func decodeError(err error) error {
	if errors.Is(err, gzip.ErrHeader) || errors.Is(err, tar.ErrHeader) {
		return permanent(fmt.Errorf("le contenu reçu n'est pas l'archive attendue (%v)", err))
	}
	return err
}

// rawChecksum is a digest announced by data.gouv.fr for the resource as served.
type rawChecksum struct {
	kind  string
	value string
	h     hash.Hash
}

// transformChecked runs transform and, when a checksum is announced, checks it
// on the raw bytes, before the file can be committed.
func transformChecked(body io.Reader, w io.Writer, transform func(io.Reader, io.Writer) error, check *rawChecksum) error {
	if check == nil {
		return transform(body, w)
	}
	check.h.Reset()
	tee := io.TeeReader(body, check.h)
	if err := transform(tee, w); err != nil {
		return err
	}
	// A decoder may stop before the end of the stream; the digest covers all of it.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return err
	}
	if got := hex.EncodeToString(check.h.Sum(nil)); !strings.EqualFold(got, check.value) {
		return permanent(fmt.Errorf("%w : %s publiée par data.gouv.fr %s, obtenue %s ; le fichier téléchargé n'a pas été conservé", ErrChecksumMismatch, check.kind, check.value, got))
	}
	return nil
}

type dataGouvDataset struct {
	Resources []dataGouvResource `json:"resources"`
}

type dataGouvResource struct {
	Title        string `json:"title"`
	URL          string `json:"url"`
	Format       string `json:"format"`
	LastModified string `json:"last_modified"`
	Checksum     *struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"checksum"`
}

func (r *dataGouvResource) checksum() *rawChecksum {
	if r.Checksum == nil || r.Checksum.Value == "" {
		return nil
	}
	var h hash.Hash
	switch strings.ToLower(r.Checksum.Type) {
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	case "sha512":
		h = sha512.New()
	case "md5":
		h = md5.New()
	default:
		return nil // an algorithm this code does not know cannot be checked
	}
	return &rawChecksum{kind: strings.ToLower(r.Checksum.Type), value: r.Checksum.Value, h: h}
}

// resolveDataGouv asks the data.gouv.fr API for the dataset and picks the newest
// resource matching the manifest's pattern: resource URLs carry their
// publication date, so they cannot be written in the manifest.
func (d *downloader) resolveDataGouv(ctx context.Context, s *SourceSpec) (dataGouvResource, string, int, error) {
	var ds dataGouvDataset
	attempts, err := d.retry(ctx, func(ctx context.Context) error {
		return d.get(ctx, s.Fetch.URL, func(_ *http.Response, body io.Reader) error {
			ds = dataGouvDataset{}
			err := json.NewDecoder(io.LimitReader(body, maxAPIResponseSize)).Decode(&ds)
			var syntax *json.SyntaxError
			var typ *json.UnmarshalTypeError
			if errors.As(err, &syntax) || errors.As(err, &typ) {
				return permanent(fmt.Errorf("GET %s : réponse de l'API data.gouv.fr illisible (%v)", s.Fetch.URL, err))
			}
			return err
		})
	})
	if err != nil {
		return dataGouvResource{}, "", attempts, err
	}
	re := regexp.MustCompile(s.Fetch.Resource) // validated with the manifest
	var best *dataGouvResource
	var bestTime time.Time
	for i := range ds.Resources {
		r := &ds.Resources[i]
		if s.Fetch.Format != "" && !strings.EqualFold(r.Format, s.Fetch.Format) {
			continue
		}
		if !re.MatchString(r.URL) && !re.MatchString(r.Title) {
			continue
		}
		t := parseDataGouvTime(r.LastModified)
		if best == nil || t.After(bestTime) {
			best, bestTime = r, t
		}
	}
	if best == nil {
		return dataGouvResource{}, "", attempts, permanent(fmt.Errorf("aucune ressource du jeu %s ne correspond au motif « %s »%s ; ressources publiées : %s",
			s.Fetch.URL, s.Fetch.Resource, formatClause(s.Fetch.Format), listResources(ds.Resources)))
	}
	base, _ := url.Parse(s.Fetch.URL)
	ref, err := url.Parse(best.URL)
	if err != nil {
		return dataGouvResource{}, "", attempts, permanent(fmt.Errorf("ressource « %s » : adresse invalide « %s »", best.Title, best.URL))
	}
	abs := base.ResolveReference(ref).String()
	if reason := checkHTTPURL(abs); reason != "" {
		return dataGouvResource{}, "", attempts, permanent(fmt.Errorf("ressource « %s » : %s (« %s »)", best.Title, reason, best.URL))
	}
	return *best, abs, attempts, nil
}

func formatClause(format string) string {
	if format == "" {
		return ""
	}
	return " au format " + format
}

func listResources(rs []dataGouvResource) string {
	if len(rs) == 0 {
		return "aucune"
	}
	var parts []string
	for i, r := range rs {
		if i == 8 {
			parts = append(parts, fmt.Sprintf("et %d autres", len(rs)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("« %s » (%s, %s)", r.Title, r.Format, r.URL))
	}
	return strings.Join(parts, ", ")
}

// parseDataGouvTime reads the API's timestamps, which come with or without a
// time zone; an unreadable one sorts first so that a dated resource wins.
func parseDataGouvTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// reusable reports a file already at its destination with the digest the
// manifest fixes: fetching it again could only produce the same bytes.
func reusable(s *SourceSpec, root string, prev *Lock) (LockedSource, bool) {
	if s.SHA256 == "" {
		return LockedSource{}, false
	}
	target := filepath.Join(root, filepath.FromSlash(s.Dest))
	sum, n, mod, err := fileSHA256(target)
	if err != nil || sum != s.SHA256 {
		return LockedSource{}, false
	}
	if e, ok := prev.find(s.ID); ok && e.Dest == s.Dest && e.SHA256 == sum {
		return e, true
	}
	return LockedSource{ID: s.ID, URL: s.Fetch.URL, Member: s.Fetch.Member, Dest: s.Dest, SHA256: sum, Bytes: n, FetchedAt: mod.UTC().Truncate(time.Second)}, true
}

// keepPrevious returns the previous lock entry of a source whose new download
// failed, when the file it describes is still there unchanged.
func keepPrevious(s *SourceSpec, root string, prev *Lock) (LockedSource, bool) {
	e, ok := prev.find(s.ID)
	if !ok || e.Dest != s.Dest {
		return LockedSource{}, false
	}
	sum, _, _, err := fileSHA256(filepath.Join(root, filepath.FromSlash(s.Dest)))
	if err != nil || sum != e.SHA256 {
		return LockedSource{}, false
	}
	return e, true
}

func (l *Lock) find(id string) (LockedSource, bool) {
	if l == nil {
		return LockedSource{}, false
	}
	for _, e := range l.Sources {
		if e.ID == id {
			return e, true
		}
	}
	return LockedSource{}, false
}

func fileSHA256(p string) (string, int64, time.Time, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", 0, time.Time{}, err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, st.ModTime(), nil
}

// readLock returns the lock of a previous run; a missing or unreadable one is
// the same as none, since every entry taken from it is checked against the file.
func readLock(root string) *Lock {
	b, err := os.ReadFile(filepath.Join(root, LockFileName))
	if err != nil {
		return nil
	}
	var l Lock
	if json.Unmarshal(b, &l) != nil {
		return nil
	}
	return &l
}

func writeLock(root string, l *Lock) error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	target := filepath.Join(root, LockFileName)
	_, _, err = writeAtomic(target, "", false, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s : écriture impossible : %w", target, err)
	}
	return nil
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
