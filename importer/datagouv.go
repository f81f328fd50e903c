package importer

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

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
