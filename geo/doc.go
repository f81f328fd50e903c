// Package geo answers "which polygon contains this point" for a fixed set of
// lon/lat (WGS84) multipolygons, fast enough to run on every request.
//
// It owns generic spatial code only: an R-tree (tidwall/rtree) over the
// bounding boxes of every polygon part, a grid of fine cells listing the parts
// whose box meets each cell, an exact point-in-polygon test on the
// orb geometry handed to NewIndex, and a nearest-polygon fallback within a
// distance in metres. It knows nothing of communes, INSEE codes or zonage:
// callers refer to polygons by their position in the slice given to NewIndex.
//
// Where things live: index.go the Index and its Locate query; pointgrid.go the
// grid that gives Locate the parts whose box may hold a point; part.go a
// polygon part and the grid that answers point-in-polygon; distance.go the local
// projection distances are measured in; locator.go the Locator, an Index in the
// shape the domain's resolver takes (zones.Locator: a Point, longitude first);
// fargrid.go FarGrid, which tells from a coarse grid that a point is farther
// than a distance from every polygon, without searching; nearcells.go the
// candidates a FarGrid keeps per cell near a polygon, to which Locate's
// nearest search of a point of that cell is restricted;
// label.go LabelPoint, where a polygon's name is written on a map; bbox.go
// IntersectsBound, the bbox filter of OGC API – Features; geojson.go
// AppendFeature, a GeoJSON Feature written without encoding/json.
//
// Its subpackages hold the rest of the spatial code: geo/mvt writes vector
// tiles (projection, simplification for a zoom, encoding), geo/outline draws the
// borders between groups of outlines, geo/address matches French addresses
// offline, geo/bangeocoder calls the public address API, geo/csvbatch reads and
// writes the CSV files of batch classification, and geo/geotest holds what the
// tests of spatial code share (InteriorPoint, to probe a polygon from inside).
//
// Why it is shaped this way:
//
//   - Outlines have hundreds of vertices, so a plain ray cast over a whole ring
//     costs microseconds. Each part gets a small grid over its bounding box:
//     cells known to be entirely inside or outside answer most points with one
//     memory read, and each grid row lists the edges crossing it, so the exact
//     test for a point near the boundary reads only a few edges. Vertices are
//     read in place from the caller's geometry; only parts with holes or
//     unclosed rings are copied.
//   - Which parts' boxes hold a point is read from one cell of a fine grid
//     (1/32 of a degree) rather than found by walking the R-tree, whose nodes
//     lie scattered in memory: the walk was a quarter of an answer's time.
//     The grid has cells only for the whole degrees some box meets, and no
//     pointer; the R-tree still answers the searches by distance, whose
//     windows vary.
//   - Service start-up must stay fast, so NewIndex only fills the R-tree; a
//     part's grid is built the first time a query reaches it, once, under a
//     per-part lock, and published with an atomic flag.
//   - Real boundary data is simplified without shared topology, so neighbours
//     overlap and leave slivers. When several polygons contain a point the
//     answer must still be unique and stable: the polygon in which the point is
//     deepest (farthest from that polygon's boundary) wins, then the smallest
//     index. A point in no polygon may be attached to the nearest one within a
//     caller-given radius, to absorb slivers and coastlines.
//   - Points on a boundary, including a hole's boundary, count as inside: a
//     point on the border between two polygons belongs to both, and the rule
//     above picks one.
//   - Distances use a local equirectangular projection centred on the query
//     point (longitude scaled by cos(latitude), mean Earth radius). Over the few
//     kilometres this package measures, its error is far below the precision of
//     the outlines, and it keeps the hot path free of trigonometry per edge.
//
// An Index is safe for concurrent use. Locate does not allocate once the
// parts it reaches are prepared.
package geo
