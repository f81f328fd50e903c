package importer

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"zonage/geo/address"
	"zonage/zones"
)

// BuildAddressData gathers what the address matcher needs into the plain data
// stored in the snapshot: the communes of the newest COG (with their déléguées,
// associées and arrondissements), the La Poste lines attached to current communes,
// the names of former communes, and the BAN streets when ban is not empty.
//
// La Poste still files some lines under the code of a commune merged since
// (49069 Champtoceaux for Orée-d'Anjou): they are attached to the current commune
// through the déléguées and the COG history. The notes say, in French, what could
// not be attached.
func BuildAddressData(communes []COGCommune, former map[string]zones.FormerCommune, laPoste []LaPosteRow, ban []BANRow) (*address.Data, []string) {
	d := &address.Data{}
	var notes []string
	var places placeCodes
	d.Communes, places = addressCommunes(communes, former)
	d.Former = formerNames(places)
	var points map[string][2]float64
	var unknown map[string]bool
	d.Postal, points, unknown = postalLines(laPoste, places)
	if len(unknown) > 0 {
		notes = append(notes, fmt.Sprintf("La Poste : lignes de %d codes commune absents du COG ignorées (%s)", len(unknown), strings.Join(firstSorted(unknown, 5), ", ")))
	}
	if missing := placeCommunes(d.Communes, points); missing > 0 {
		notes = append(notes, fmt.Sprintf("%d communes sans point La Poste : leur position reste inconnue", missing))
	}
	d.Streets, notes = buildStreets(ban, places.current, notes)
	return d, notes
}

// placeCodes tells which commune of the newest COG a code belongs to today.
type placeCodes struct {
	current  map[string]int    // commune or arrondissement code -> index in the address communes
	attached map[string]string // déléguée or associée code -> its commune
	former   map[string]zones.FormerCommune
}

// today returns the current commune or arrondissement that code, of a La Poste
// line or a former commune, belongs to; "" when none.
func (pc placeCodes) today(code string) string {
	if _, ok := pc.current[code]; ok {
		return code
	}
	if p, ok := pc.attached[code]; ok {
		if _, ok := pc.current[p]; ok {
			return p
		}
	}
	if f, ok := pc.former[code]; ok {
		if _, ok := pc.current[f.Current]; ok {
			return f.Current
		}
	}
	return ""
}

// addressCommunes is the places of the newest COG the matcher knows, each code
// once, and the codes they answer for.
func addressCommunes(communes []COGCommune, former map[string]zones.FormerCommune) ([]address.Commune, placeCodes) {
	kinds := map[zones.CommuneType]address.Kind{zones.CommuneActuelle: address.KindCommune, zones.ArrondissementMunicipal: address.KindArrondissement,
		zones.CommuneDeleguee: address.KindDeleguee, zones.CommuneAssociee: address.KindAssociee}
	places := placeCodes{current: map[string]int{}, attached: map[string]string{}, former: former}
	var out []address.Commune
	for _, c := range communes {
		kind, ok := kinds[c.Type]
		if !ok {
			continue
		}
		ac := address.Commune{Code: c.Code, Name: c.Name, Kind: kind, Parent: c.Parent, Departement: c.Departement,
			Population: c.Population, Postcodes: slices.Clone(c.Postcodes)}
		switch kind {
		case address.KindCommune, address.KindArrondissement:
			if _, dup := places.current[c.Code]; dup {
				continue
			}
			places.current[c.Code] = len(out)
		default:
			if _, ok := places.attached[c.Code]; !ok {
				places.attached[c.Code] = c.Parent
			}
		}
		out = append(out, ac)
	}
	return out, places
}

// formerNames is the names of the former communes that are not déléguées or
// associées, each with the commune it belongs to today, by code.
func formerNames(places placeCodes) []address.FormerName {
	var out []address.FormerName
	for _, code := range sortedKeys(places.former) {
		f := places.former[code]
		// A déléguée or associée is already known, with its commune of the newest
		// COG, which the history table may predate.
		_, isCurrent := places.current[code]
		_, isAttached := places.attached[code]
		if isCurrent || isAttached || f.Name == "" {
			continue
		}
		if cur := places.today(f.Current); cur != "" {
			out = append(out, address.FormerName{Code: code, Name: f.Name, Current: cur})
		}
	}
	return out
}

// postalLines attaches the La Poste lines to the communes of today. It returns
// them, each commune's point, and the codes no commune answers for.
func postalLines(laPoste []LaPosteRow, places placeCodes) ([]address.PostalLine, map[string][2]float64, map[string]bool) {
	var lines []address.PostalLine
	unknown := map[string]bool{}
	points := map[string][2]float64{}
	for _, r := range laPoste {
		code := places.today(r.Code)
		if code == "" {
			unknown[r.Code] = true
			continue
		}
		lines = append(lines, address.PostalLine{Code: code, Postcode: r.Postcode, Name: r.Name, Label: r.Label, Line5: r.Line5})
		// The commune's point: La Poste gives the same one on each of its lines;
		// a line filed under a former code may carry the former commune's.
		if _, seen := points[code]; r.HasPoint && (!seen || r.Code == code && r.Line5 == "") {
			points[code] = [2]float64{r.Lat, r.Lon}
		}
	}
	return lines, points, unknown
}

// placeCommunes gives the communes and arrondissements their La Poste point, and
// Paris, Lyon and Marseille the middle of their arrondissements' points. It
// returns how many communes are left without one.
func placeCommunes(communes []address.Commune, points map[string][2]float64) (missing int) {
	sums := map[string][3]float64{}
	for i := range communes {
		c := &communes[i]
		if pt, ok := points[c.Code]; ok && (c.Kind == address.KindCommune || c.Kind == address.KindArrondissement) {
			c.Lat, c.Lon = pt[0], pt[1]
			if c.Kind == address.KindArrondissement {
				s := sums[c.Parent]
				sums[c.Parent] = [3]float64{s[0] + pt[0], s[1] + pt[1], s[2] + 1}
			}
		}
	}
	for i := range communes {
		c := &communes[i]
		if c.Kind != address.KindCommune || c.Lat != 0 || c.Lon != 0 {
			continue
		}
		if s, ok := sums[c.Code]; ok {
			c.Lat, c.Lon = s[0]/s[2], s[1]/s[2]
			continue
		}
		missing++
	}
	return missing
}

// buildStreets groups BAN addresses by commune and street name (compared in
// normalised form, so "Rue Saint-Jacques" and "Rue St Jacques" are one street).
func buildStreets(ban []BANRow, current map[string]int, notes []string) ([]address.Street, []string) {
	type streetKey struct{ code, name string }
	index := map[streetKey]int{}
	var streets []address.Street
	postcodes := map[int]map[string]int{}
	skipped := 0
	var buf []byte
	for _, r := range ban {
		if _, ok := current[r.Code]; !ok || r.Number <= 0 || r.Number >= 99999 {
			// Number 0 or 99999 marks a lieu-dit without address number.
			skipped++
			continue
		}
		buf = address.AppendNormalized(buf[:0], r.Street)
		k := streetKey{r.Code, string(buf)}
		i, ok := index[k]
		if !ok {
			i = len(streets)
			index[k] = i
			streets = append(streets, address.Street{Code: r.Code, Name: r.Street})
			postcodes[i] = map[string]int{}
		}
		streets[i].Points = append(streets[i].Points, address.Point{Number: int32(r.Number), Suffix: repetitionCode(r.Rep),
			Lat: int32(math.Round(r.Lat * 1e7)), Lon: int32(math.Round(r.Lon * 1e7))})
		if r.Postcode != "" {
			postcodes[i][r.Postcode]++
		}
	}
	for i := range streets {
		st := &streets[i]
		slices.SortStableFunc(st.Points, func(a, b address.Point) int {
			if c := cmp.Compare(a.Number, b.Number); c != 0 {
				return c
			}
			return cmp.Compare(a.Suffix, b.Suffix)
		})
		// The same number and indice twice (two entrances): the first is kept.
		st.Points = slices.CompactFunc(st.Points, func(a, b address.Point) bool { return a.Number == b.Number && a.Suffix == b.Suffix })
		best := 0
		for pc, n := range postcodes[i] {
			if n > best || n == best && pc < st.Postcode {
				st.Postcode, best = pc, n
			}
		}
	}
	slices.SortFunc(streets, func(a, b address.Street) int {
		if c := cmp.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("BAN : %d adresses sans numéro ou hors des communes actuelles ignorées", skipped))
	}
	return streets, notes
}

// repetitionCode writes BAN's indice de répétition the way the matcher compares
// it: "bis" and "b" are "B", "ter" and "t" are "T".
func repetitionCode(rep string) string {
	switch r := strings.ToUpper(strings.TrimSpace(rep)); r {
	case "BIS":
		return "B"
	case "TER":
		return "T"
	case "QUATER":
		return "Q"
	case "QUINQUIES":
		return "C"
	default:
		return r
	}
}

func firstSorted(set map[string]bool, n int) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) > n {
		out = append(out[:n], "…")
	}
	return out
}
