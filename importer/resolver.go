package importer

import (
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
