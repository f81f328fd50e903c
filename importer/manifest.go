package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Fetch kinds of a source in the manifest.
const (
	FetchURL      = "url"      // a plain file at a fixed address
	FetchDataGouv = "datagouv" // the current resource of a data.gouv.fr dataset, resolved through its API
	FetchNPM      = "npm"      // one member file of a published npm tarball
	FetchManual   = "manual"   // no stable address: listed with instructions, never fetched
)

// manifestVersion is the only layout of sources.json this code reads; a manifest
// written for another layout must be refused rather than half understood.
const manifestVersion = 1

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
		validateFetch(id, s, bad)
	}
	return errors.Join(errs...)
}

// validateFetch reports what is wrong with how source s (id) is fetched: what each
// kind of fetch needs, and what it cannot have.
func validateFetch(id string, s SourceSpec, bad func(id, field, value, reason string)) {
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
