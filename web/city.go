package web

import (
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"zonage/geo/outline"
	"zonage/zones"
)

// cityByArrondissements returns, for Paris, Lyon and Marseille, the city as the
// commune an answer is about: the resolver answers such a city asked as a whole
// with its arrondissements as candidates only, and a page needs its name, its
// place and its outline to show it. Département and region are the
// arrondissements' (one each); population and postcodes are theirs summed and
// merged. ok is false for any other code.
func cityByArrondissements(ds *zones.Dataset, code string) (*zones.CommuneRef, bool) {
	arr, ok := ds.Arrondissements[code]
	if !ok || len(arr) == 0 {
		return nil, false
	}
	ref := &zones.CommuneRef{Code: code, Name: ds.ParentNames[code], Type: "commune-actuelle"}
	postcodes := map[string]bool{}
	for _, a := range arr {
		c, ok := ds.CommuneByCode(a)
		if !ok {
			continue
		}
		if ref.Departement == "" {
			ref.Departement, ref.DepartementName = c.Departement, zones.DepartementName(c.Departement)
			if r, ok := zones.RegionByCode(c.Region); ok {
				ref.Region = zones.RegionRef{Code: r.Code, Name: r.Name}
			}
		}
		ref.Population += c.Population
		for _, p := range c.Postcodes {
			postcodes[p] = true
		}
	}
	for p := range postcodes {
		ref.Postcodes = append(ref.Postcodes, p)
	}
	sort.Strings(ref.Postcodes)
	if ref.Name == "" {
		ref.Name = code
	}
	return ref, true
}

// withCity names the city an ambiguous answer is about when its candidates are
// the arrondissements of one of Paris, Lyon and Marseille.
func withCity(ds *zones.Dataset, res *zones.Resolution) {
	if res.Commune != nil || res.Status != zones.StatusAmbiguous || len(res.Candidates) == 0 {
		return
	}
	parent := ""
	for _, k := range res.Candidates {
		c, ok := ds.CommuneByCode(k.Code)
		if !ok || c.Parent == "" || (parent != "" && c.Parent != parent) {
			return
		}
		parent = c.Parent
	}
	if ref, ok := cityByArrondissements(ds, parent); ok {
		res.Commune = ref
	}
}

// cityOutline returns the outer boundary of a city's arrondissements.
func (st *State) cityOutline(code string) (*geojson.Geometry, bool) {
	md := st.mapData()
	if md.polys == nil {
		return nil, false
	}
	ds := st.Resolver.Dataset
	var ids []int
	for i := range ds.Communes {
		if ds.Communes[i].Parent == code {
			ids = append(ids, i)
		}
	}
	if len(ids) == 0 {
		return nil, false
	}
	return geojson.NewGeometry(md.outline("ville/"+code, ids)), true
}

// outline returns the outer boundary of the outlines ids, kept under key.
func (md *mapData) outline(key string, ids []int) orb.MultiLineString {
	md.outlinesMu.Lock()
	defer md.outlinesMu.Unlock()
	if o, ok := md.catchmentOutlines[key]; ok {
		return o
	}
	o := outline.Borders(md.polys, ids, func(int) int { return 0 })
	// About 10 m: the outline is drawn over the commune outlines, whose own
	// precision is 30 m, and a large unit stays a few kilobytes.
	o = simplify.DouglasPeucker(0.0001).MultiLineString(o)
	md.catchmentOutlines[key] = o
	return o
}
