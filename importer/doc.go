// Package importer reads every source format the service knows — the CartoSanté
// and Atlasanté zonage tables, regional arrêté overlays, ADMIN EXPRESS commune
// polygons, the COG tables and their history — reconciles their code vintages,
// validates them, and writes and loads the snapshot file. Format quirks (BOMs,
// title lines, category spellings) stop here: what leaves this package is domain data.
package importer
