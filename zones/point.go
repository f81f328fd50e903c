package zones

import "github.com/paulmach/orb"

// Point is a WGS84 position in orb's order, longitude first: Point{lon, lat}.
// The Locator takes one so that the order is fixed by the type rather than by
// each caller's memory; ResolvePoint keeps (lat, lon), the order people write
// coordinates in.
type Point = orb.Point
