// Package geo answers "which polygon contains this point" for a fixed set of
// lon/lat (WGS84) multipolygons, fast enough to run on every request.
//
// It owns generic spatial code only: an R-tree (tidwall/rtree) over the
// bounding boxes of every polygon part, an exact point-in-polygon test on the
// orb geometry handed to NewIndex, and a nearest-polygon fallback within a
// distance in metres. It knows nothing of communes, INSEE codes or zonage:
// callers refer to polygons by their position in the slice given to NewIndex.
//
// Why it is shaped this way:
//
//   - Outlines have hundreds of vertices, so a plain ray cast over a whole ring
//     costs microseconds. Each part is therefore prepared once into horizontal
//     bands in latitude, each band listing the edges that cross it; a
//     containment test only looks at the handful of edges of one band and reads
//     the caller's vertices in place (no copy for ordinary rings).
//   - Real boundary data is simplified without shared topology, so neighbours
//     overlap and leave slivers. When several polygons contain a point the
//     answer must still be unique and stable: the polygon in which the point is
//     deepest (farthest from that polygon's boundary) wins, then the smallest
//     index. A point in no polygon may be attached to the nearest one within a
//     caller-given radius, to absorb slivers and coastlines.
//   - Distances use a local equirectangular projection centred on the query
//     point (longitude scaled by cos(latitude), mean Earth radius). Over the few
//     kilometres this package measures, its error is far below the precision of
//     the outlines, and it keeps the hot path free of trigonometry per edge.
//
// An Index is immutable once built and safe for concurrent use; Locate does
// not allocate when the point lies inside exactly one polygon.
package geo
