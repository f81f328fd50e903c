package importer

import (
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"zonage/geo"
	"zonage/geo/address"
	"zonage/zones"
)

// addressMatcher adapts the offline address matcher to the domain's AddressMatcher.
type addressMatcher struct{ m *address.Matcher }

func (a addressMatcher) MatchAddress(q zones.Query) zones.AddressMatch {
	r := a.m.Match(address.Query{Text: q.Text, Street: q.Street, Postcode: q.Postcode, City: q.City, Citycode: q.Citycode})
	out := zones.AddressMatch{Status: matchStatus(r.Status), Level: matchLevel(r.Level), Code: r.Code,
		Score: r.Score, Lat: r.Lat, Lon: r.Lon, Label: r.Label, Warnings: r.Warnings, CodeConflict: r.CodeConflict != "",
		NumberNotFound: r.NumberNotFound, NoStreetData: r.NoStreetData}
	if r.Former != "" {
		// The query named a former commune or a commune déléguée: zonages older than
		// the merger are published for it, so it is what the category is read for.
		out.Code = r.Former
	}
	for _, c := range r.Candidates {
		out.Candidates = append(out.Candidates, zones.AddressCandidate{Code: c.Code, Name: c.Name, Score: c.Score})
	}
	switch r.Status {
	case address.StatusNotFound:
		out.Message = "adresse introuvable : aucune commune ne correspond"
		if len(r.Warnings) > 0 {
			out.Message += " (" + strings.Join(r.Warnings, " ; ") + ")"
		}
	case address.StatusAmbiguous:
		out.Message = "adresse ambiguë"
	}
	return out
}

// CodeConflict checks a postcode and city given with a commune code against the
// La Poste and COG names of the commune.
func (a addressMatcher) CodeConflict(code, postcode, city string) string {
	return a.m.Match(address.Query{Postcode: postcode, City: city, Citycode: code}).CodeConflict
}

// matchStatus maps the matcher's outcome to the domain's: the words happen to be
// the same today, but each package owns its own.
func matchStatus(s address.Status) zones.Status {
	switch s {
	case address.StatusOK:
		return zones.StatusOK
	case address.StatusAmbiguous:
		return zones.StatusAmbiguous
	}
	return zones.StatusNotFound
}

// matchLevel maps the matcher's precision to the domain's; nothing found has none.
func matchLevel(l address.Level) zones.AddressLevel {
	switch l {
	case address.LevelHouseNumber:
		return zones.LevelHouseNumber
	case address.LevelStreet:
		return zones.LevelStreet
	case address.LevelMunicipality:
		return zones.LevelMunicipality
	}
	return ""
}

// Resolver builds the spatial index over the snapshot's outlines, and the address
// matcher when the snapshot has address data, and returns a resolver answering
// from them; toleranceM is the nearest-commune fallback radius.
func (s *Snapshot) Resolver(toleranceM float64) *zones.Resolver {
	r := &zones.Resolver{Dataset: s.Dataset, Locator: geo.Locator{Index: geo.NewIndex(s.Polygons)}, ToleranceM: toleranceM}
	if s.Countries != nil && len(s.Countries.Polygons) > 0 {
		r.Countries = newCountryLocator(s.Countries)
	}
	if m := s.Matcher(); m != nil {
		r.Addresses = addressMatcher{m}
		r.Codes = addressMatcher{m}
	}
	return r
}

// countryLocator tells the country of a point on the foreign land of a
// snapshot, and the collectivité of a point on theirs (zones.CountryLocator).
// The collectivités have an index of their own: every point far from the
// communes asks it, and it holds a few islands.
type countryLocator struct {
	foreign, french         *geo.Index
	foreignNames            []string
	frenchNames, frenchCode []string
}

func newCountryLocator(land *CountryLand) countryLocator {
	var foreign, french []orb.MultiPolygon
	var c countryLocator
	for i, polys := range land.Polygons {
		if land.French[i] {
			french = append(french, polys)
			c.frenchNames = append(c.frenchNames, land.Names[i])
			c.frenchCode = append(c.frenchCode, land.Communes[i])
		} else {
			foreign = append(foreign, polys)
			c.foreignNames = append(c.foreignNames, land.Names[i])
		}
	}
	c.foreign, c.french = geo.NewIndex(foreign), geo.NewIndex(french)
	return c
}

func (c countryLocator) Country(p zones.Point) (string, bool) {
	if h := c.foreign.Locate(p, geo.Options{}); h.ID >= 0 {
		return c.foreignNames[h.ID], true
	}
	return "", false
}

func (c countryLocator) Collectivity(p zones.Point, maxDistanceM float64) (commune, name string, distanceM float64, ok bool) {
	if h := c.french.Locate(p, geo.Options{MaxDistanceMeters: maxDistanceM}); h.ID >= 0 {
		if h.Inside {
			h.DistanceM = 0
		}
		return c.frenchCode[h.ID], c.frenchNames[h.ID], h.DistanceM, true
	}
	return "", "", 0, false
}

// Matcher returns the offline address matcher of the snapshot, built on first use
// from Address; nil when the snapshot has no address data. Address may be let go
// once it is built (see ReleaseAddressData).
func (s *Snapshot) Matcher() *address.Matcher {
	s.matcherOnce.Do(func() {
		if s.Address != nil {
			s.matcher = address.NewMatcher(s.Address)
		}
	})
	return s.matcher
}

// ReleaseAddressData builds the address matcher, then lets go of the address
// tables it was built from, which it does not keep (some 10 MB for France): for a
// snapshot that is served, not written again.
func (s *Snapshot) ReleaseAddressData() {
	s.Matcher()
	s.Address = nil
}

// Outline returns the outline of a commune of the snapshot by its code.
func (s *Snapshot) Outline(code string) (orb.MultiPolygon, bool) {
	c, ok := s.Dataset.CommuneByCode(code)
	if !ok {
		return nil, false
	}
	i := sort.Search(len(s.Dataset.Communes), func(i int) bool { return s.Dataset.Communes[i].Code >= c.Code })
	return s.Polygons[i], true
}
