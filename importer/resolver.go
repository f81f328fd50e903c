package importer

import (
	"sort"

	"github.com/paulmach/orb"

	"zonage/geo"
	"zonage/zones"
)

// indexLocator adapts the geo index to the domain's Locator.
type indexLocator struct{ ix *geo.Index }

func (l indexLocator) Locate(lon, lat, maxDistanceM float64) (int, bool, float64) {
	h := l.ix.Locate(orb.Point{lon, lat}, geo.Options{MaxDistanceMeters: maxDistanceM})
	return h.ID, h.Inside, h.DistanceM
}

// Resolver builds the spatial index over the snapshot's outlines and returns a
// resolver answering from it; toleranceM is the nearest-commune fallback radius.
func (s *Snapshot) Resolver(toleranceM float64) *zones.Resolver {
	return &zones.Resolver{Dataset: s.Dataset, Locator: indexLocator{geo.NewIndex(s.Polygons)}, ToleranceM: toleranceM}
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
