package importer

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"zonage/zones"
)

// contourProperties are the feature properties that name a commune in the contour
// files read: ADMIN EXPRESS per département (code, name), the DROM files from COGiter
// (DEPCOM) and the Etalab national files (code, nom). Other properties are ignored.
type contourProperties struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Nom      string `json:"nom"`
	DepCom   string `json:"DEPCOM"`
	InseeCom string `json:"INSEE_COM"`
}

// ReadContourDir reads every GeoJSON file (.geojson or .geojson.gz) under dir and
// returns one outline per commune code, sorted by code, with the files read and notes
// for the report. When two files give the same code (the Etalab communes layer may
// carry the arrondissements that its arrondissements layer also has), the outline of
// the first file in name order is kept and the report says so; within one file a
// repeated code is an error.
func ReadContourDir(dir string) ([]PolygonFeature, []string, []string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".geojson") || strings.HasSuffix(path, ".geojson.gz")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, &InputError{File: dir, Reason: "lecture du dossier des contours : " + err.Error()}
	}
	if len(files) == 0 {
		return nil, nil, nil, &InputError{File: dir, Reason: "aucun fichier .geojson ou .geojson.gz de contours de communes"}
	}
	sort.Strings(files)
	results := make([][]PolygonFeature, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i], errs[i] = ReadContourFile(f)
		}()
	}
	wg.Wait()
	var all []PolygonFeature
	var notes []string
	from := map[string]string{}
	skipped := map[[2]string]int{}
	for i := range files {
		if errs[i] != nil {
			return nil, nil, nil, errs[i]
		}
		for _, f := range results[i] {
			if prev, dup := from[f.Code]; dup {
				skipped[[2]string{files[i], prev}]++
				continue
			}
			from[f.Code] = files[i]
			all = append(all, f)
		}
	}
	for k, n := range skipped {
		notes = append(notes, fmt.Sprintf("%s : %d communes déjà décrites par %s, contour de ce dernier retenu", filepath.Base(k[0]), n, filepath.Base(k[1])))
	}
	sort.Strings(notes)
	sort.Slice(all, func(a, b int) bool { return all[a].Code < all[b].Code })
	return all, files, notes, nil
}

// ReadContourFile reads one GeoJSON FeatureCollection of commune outlines.
func ReadContourFile(path string) ([]PolygonFeature, error) {
	b, err := readSourceFile(path)
	if err != nil {
		return nil, err
	}
	var fc geojson.FeatureCollectionOf[contourProperties]
	if err := fc.UnmarshalJSON(b); err != nil {
		return nil, &InputError{File: path, Reason: "GeoJSON illisible (fichier tronqué ou mal formé) : " + err.Error()}
	}
	out := make([]PolygonFeature, 0, len(fc.Features))
	seen := map[string]int{}
	for i, f := range fc.Features {
		p := f.Properties
		code := firstNonEmpty(p.Code, p.DepCom, p.InseeCom)
		code = zones.NormalizeCommuneCode(code)
		where := fmt.Sprintf("entité %d", i+1)
		if !zones.ValidCommuneCode(code) {
			return nil, &InputError{File: path, Field: "code", Value: code, Reason: where + " : code INSEE absent ou invalide (propriétés code, DEPCOM ou INSEE_COM attendues)"}
		}
		if prev, dup := seen[code]; dup {
			return nil, &InputError{File: path, Field: "code", Value: code, Reason: fmt.Sprintf("%s : commune déjà décrite par l'entité %d", where, prev)}
		}
		seen[code] = i + 1
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			return nil, &InputError{File: path, Field: "geometry", Value: code, Reason: fmt.Sprintf("%s : géométrie %T, Polygon ou MultiPolygon attendu", where, f.Geometry)}
		}
		if err := checkOutline(mp); err != nil {
			return nil, &InputError{File: path, Field: "geometry", Value: code, Reason: where + " : " + err.Error()}
		}
		out = append(out, PolygonFeature{Code: code, Name: firstNonEmpty(p.Name, p.Nom), Geometry: mp, Source: path})
	}
	if len(out) == 0 {
		return nil, &InputError{File: path, Reason: "aucune commune dans ce fichier"}
	}
	return out, nil
}

// checkOutline refuses geometry the index cannot use: empty rings and coordinates
// that are not longitude/latitude (a file left in Lambert-93, say).
func checkOutline(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return fmt.Errorf("géométrie vide")
	}
	for _, p := range mp {
		if len(p) == 0 || len(p[0]) < 4 {
			return fmt.Errorf("anneau de moins de 4 points")
		}
		for _, r := range p {
			for _, pt := range r {
				if pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
					return fmt.Errorf("coordonnée %v hors des bornes longitude/latitude (le fichier doit être en WGS84)", pt)
				}
			}
		}
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
