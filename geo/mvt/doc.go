// Package mvt writes Mapbox Vector Tiles (MVT 2) from orb geometry: the
// projection of lon/lat to Web Mercator and into a tile's integer grid, the
// simplification of outlines for a zoom, and the protobuf encoding of layers.
//
// It writes the subset a choropleth needs, straight into bytes, with no
// intermediate feature structures: polygons, lines and points, each feature
// with at most one tag whose key is the layer's and whose values are interned.
// Exterior rings turn clockwise and holes anticlockwise on screen (y
// downwards), as the specification asks; rings left with no area after
// rounding to the grid are dropped. Geometry commands are relative to the end
// of the previous part, so a feature's parts follow each other.
//
// What a tile holds (which features, which layers, at which zoom) is the
// caller's: the package knows nothing of communes or classes.
package mvt
