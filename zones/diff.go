package zones

import (
	"sort"
)

// DiffSide is a zonage code's assignment in force in one of the two datasets.
type DiffSide struct {
	Category      Category `json:"category"`
	Label         string   `json:"label"`
	OfficialCode  string   `json:"official_code"`
	ArreteDate    string   `json:"arrete_date,omitempty"`
	EffectiveDate string   `json:"effective_date,omitempty"`
	ArreteRef     string   `json:"arrete_ref,omitempty"`
	Source        string   `json:"source"`
}

// DiffEntry is one zonage code that differs between two datasets: its category
// changed (Old and New), it appeared (New only) or it no longer has a zonage in
// force (Old only).
type DiffEntry struct {
	Code   string    `json:"code"`
	Name   string    `json:"name"`
	Region RegionRef `json:"region"`
	Old    *DiffSide `json:"old,omitempty"`
	New    *DiffSide `json:"new,omitempty"`
}

// RegionDiff counts a region's zonage codes per category in each dataset.
type RegionDiff struct {
	Region  RegionRef        `json:"region"`
	Old     map[Category]int `json:"old"`
	New     map[Category]int `json:"new"`
	Changed int              `json:"changed"` // codes of the region that changed, appeared or disappeared
}

// DatasetDiff is what changed from one dataset to another, on a day: what URPS
// staff want to see when an ARS publishes a new arrêté.
type DatasetDiff struct {
	Date       Day          `json:"date"`
	OldVersion string       `json:"old_version"`
	NewVersion string       `json:"new_version"`
	Changed    []DiffEntry  `json:"changed"`
	Added      []DiffEntry  `json:"added"`
	Removed    []DiffEntry  `json:"removed"`
	PerRegion  []RegionDiff `json:"per_region"`
}

// Empty reports whether nothing differs.
func (d *DatasetDiff) Empty() bool {
	return len(d.Changed) == 0 && len(d.Added) == 0 && len(d.Removed) == 0
}

// DiffDatasets compares the zonage in force on day in two datasets, code by code of
// the zonage sources (the codes the ARS published, not the outlines): categories
// that changed, codes that appeared, codes with no zonage in force any more, and
// per region the counts per category on each side.
func DiffDatasets(old, cur *Dataset, day Day) *DatasetDiff {
	iso := day.String()
	d := &DatasetDiff{Date: day, OldVersion: old.Meta.Version, NewVersion: cur.Meta.Version,
		Changed: []DiffEntry{}, Added: []DiffEntry{}, Removed: []DiffEntry{}, PerRegion: []RegionDiff{}}
	regions := map[string]*RegionDiff{}
	region := func(code string) *RegionDiff {
		r, ok := regions[code]
		if !ok {
			r = &RegionDiff{Region: regionRef(code), Old: map[Category]int{}, New: map[Category]int{}}
			regions[code] = r
		}
		return r
	}
	codes := map[string]bool{}
	for c := range old.Zonage {
		codes[c] = true
	}
	for c := range cur.Zonage {
		codes[c] = true
	}
	sorted := make([]string, 0, len(codes))
	for c := range codes {
		sorted = append(sorted, c)
	}
	sort.Strings(sorted)
	for _, code := range sorted {
		o, _ := old.ZonageAt(code, iso)
		n, _ := cur.ZonageAt(code, iso)
		if o != nil {
			region(o.Region).Old[o.Category]++
		}
		if n != nil {
			region(n.Region).New[n.Category]++
		}
		if o == nil && n == nil || o != nil && n != nil && o.Category == n.Category {
			continue
		}
		e := DiffEntry{Code: code, Old: diffSide(o), New: diffSide(n)}
		named := n
		if named == nil {
			named = o
		}
		e.Name, e.Region = named.Name, regionRef(named.Region)
		region(named.Region).Changed++
		switch {
		case o == nil:
			d.Added = append(d.Added, e)
		case n == nil:
			d.Removed = append(d.Removed, e)
		default:
			d.Changed = append(d.Changed, e)
		}
	}
	for _, r := range regions {
		d.PerRegion = append(d.PerRegion, *r)
	}
	sort.Slice(d.PerRegion, func(i, j int) bool { return d.PerRegion[i].Region.Code < d.PerRegion[j].Region.Code })
	return d
}

func diffSide(z *Zonage) *DiffSide {
	if z == nil {
		return nil
	}
	return &DiffSide{Category: z.Category, Label: z.Category.Label(), OfficialCode: z.OfficialCode,
		ArreteDate: z.ArreteDate, EffectiveDate: z.EffectiveDate, ArreteRef: z.ArreteRef, Source: z.Source}
}
