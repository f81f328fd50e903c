// Package address finds the commune, and when street data is loaded the address
// point, that a French postal address designates — offline, from the La Poste
// postcode base, the COG commune list and the BAN, in microseconds.
//
// It owns the normalisation of French names and address lines (AppendNormalized) and
// the matching (Matcher). It knows no file format and no zonage: the importer
// turns the sources into a Data, which is stored in the snapshot; NewMatcher
// builds the indexes from it at every start.
//
// Why it is shaped this way:
//
//   - One normaliser for everything compared: names of the COG ("Saint-Étienne"),
//     of La Poste ("ST ETIENNE"), of the BAN and what people type all meet in one
//     canonical form, so that matching is mostly exact map lookups. Abbreviations
//     are written in full rather than the reverse: "ST" is always "SAINT", while
//     "SAINT" abbreviates in several ways.
//   - Never a guess between communes. A postcode shared by several communes with
//     no usable name, or a name shared by several communes, answers "ambigu" with
//     the candidates; Paris, Lyon and Marseille without their arrondissement too,
//     since the kiné zonage differs by arrondissement. A misspelt name is
//     accepted only when one commune is clearly the closest, and the answer says
//     so in its warnings and its score.
//   - Names have a strength: a commune's own name (COG or La Poste) beats a
//     lieu-dit, a commune déléguée or a former commune of the same postcode. A
//     déléguée or former commune leads to its current commune, and its code is
//     kept in Result.Former, because zonages older than a merger were published
//     per former commune.
//   - The postcode narrows first (a few dozen names at most), then the
//     département, then France; fuzzy comparison (edit distance on normalised
//     names) only runs when exact and article-free lookups fail, over candidates
//     drawn from a trigram index.
//   - Indexes are flat slices and offset lists built by counting sorts, INSEE
//     codes and postcodes index arrays directly: NewMatcher builds France in well
//     under 100 ms, and a commune match does not allocate beyond its answer.
//
// A Matcher is immutable once built and safe for concurrent use.
package address
