// Package importer reads every source format the service knows — the CartoSanté
// and Atlasanté zonage tables, regional arrêté overlays, ADMIN EXPRESS commune
// polygons, the COG tables and their history — reconciles their code vintages,
// validates them, and writes and loads the snapshot file. Format quirks (BOMs,
// title lines, category spellings) stop here: what leaves this package is domain data.
//
// Where things live:
//   - import.go Import, the run from a data folder to a snapshot: which files it
//     reads, in what order, and the provenance of each;
//   - one reader per source: cartosante.go, atlasante.go, overlay.go (regional
//     arrêtés), contours.go (the outlines), countries.go (the neighbours' land
//     near the outlines and the collectivités without commune outlines), cog.go
//     (the COG, its history and the catchments), laposte.go, ban.go; table.go the one delimited-text reader they
//     share, values.go the values they parse, records.go what they return,
//     errors.go InputError, the error naming a file, line, field and value;
//   - reconcile.go the join of the zonage to the outlines through the COG history,
//     and the coverage report; address_data.go the address matcher's tables;
//   - snapshot.go the snapshot file's format, writing and reading; intern.go the
//     sharing of equal strings of a loaded dataset; resolver.go a snapshot's
//     resolver and address matcher;
//   - postgis.go the publication to and loading from PostgreSQL/PostGIS,
//     postgis_listen.go the following of new publications;
//   - the official downloads: manifest.go the sources manifest, download.go the
//     downloads, datagouv.go the data.gouv.fr API, fetch.go one HTTP fetch,
//     unpack.go the archives, lock.go the lock file of what was fetched.
package importer
