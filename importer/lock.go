package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"zonage/internal/atomicfile"
)

// LockFileName is the file DownloadSources writes at the root of the data folder:
// what was fetched, from where, when, and the digest of each file.
const LockFileName = "SOURCES.lock.json"

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
	if err := atomicfile.WriteFile(target, b); err != nil {
		return fmt.Errorf("%s : écriture impossible : %w", target, err)
	}
	return nil
}
