// Package zones is the domain of the zonage kiné service: the ARS categories and
// their official codes, communes, zonage assignments with their arrêté and
// effective dates, regional arrêtés, and the resolution of a place to a category
// with its provenance. It knows no HTTP, no SQL and no file format.
//
// Where things live:
//   - category.go the categories and scales, profession.go the professions and
//     their scales, catchment.go the bassins de vie and cantons-villes,
//     departements.go the départements' names;
//   - enum.go the one pattern every set of codes follows, enums.go the codes of
//     an assessment (statuses, projects, authorities…);
//   - dataset.go what an import produces, profession_zonage.go the other
//     professions' zonage and Resolver.For, communecode.go the INSEE code checks,
//     day.go the Day every date is;
//   - resolve.go the resolver and its answers to a point or a code, query.go to
//     an address or a batch row, point.go the Point a Locator takes (longitude
//     first), suggest.go the communes named like a text, record.go a commune's row
//     for the exports, diff.go what changed between two datasets, revision.go
//     when a region's zonage is due for revision;
//   - tables.go the tables built into the binary, read once; regions.go the
//     regions, their arrêtés and the bibliography; rules.go the checked rules
//     table, rules_load.go its reading from rules.yaml (through yamlnode.go, which
//     keeps every line for the errors); assess.go what a category opens for a
//     profile; installation.go and installation_load.go the installation rules of
//     the other professions (installation.yaml), which answer in place of the
//     kiné's options.
package zones
