package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"zonage/geo"
	"zonage/zones"
)

// Suggestion is one autocomplete entry.
type Suggestion struct {
	Kind     string `json:"kind"` // commune, arrondissement, street
	Code     string `json:"code"` // INSEE code of the commune
	Label    string `json:"label"`
	Postcode string `json:"postcode,omitempty"`
	// Departement is the commune's département, code and name.
	Departement *DepartementRef `json:"departement,omitempty"`
	Score       float64         `json:"score"`
	// Lat and Lon are a point to fly to (a street's middle or the commune's point);
	// zero when unknown.
	Lat float64 `json:"lat,omitempty"`
	Lon float64 `json:"lon,omitempty"`
}

// DepartementRef names a département.
type DepartementRef struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
}

// State is everything the handlers answer from: one dataset version. It is never
// modified after it is built; a reload builds a new one and swaps it in.
type State struct {
	Resolver *zones.Resolver
	// Outline returns a commune's outline for ?geometry=1; nil = not available.
	Outline func(code string) (orb.MultiPolygon, bool)
	// Suggest completes a partial commune name or address; nil = communes only,
	// from the dataset.
	Suggest  func(q string, limit int) []Suggestion
	LoadedAt time.Time
	Source   string // where the dataset was read from (file path or "instantané intégré")
	// Changes is what this version changed from the one published before it, when the
	// dataset comes from PostgreSQL; nil otherwise.
	Changes *zones.DatasetDiff
	// Outlines[i] is the outline of Resolver.Dataset.Communes[i]: the map's tiles and
	// catchment outlines are drawn from them; nil = the map shows no communes.
	Outlines []orb.MultiPolygon

	// ExportFile writes every commune with its zonage in force today to path, in
	// format geojson, csv or gpkg, atomically; nil = exports unavailable.
	ExportFile func(format, path string) error

	// The OGC API's index of the outlines (see ogc), built on first use.
	ogcOnce sync.Once
	ogcIdx  *ogcIndex

	// The map's derived data (see mapData), built on first use for the current day.
	mapMu  sync.Mutex
	mapCur *mapData
	// The other professions' map data (see mapDataFor), by profession.
	mapOthersMu sync.Mutex
	mapOthers   map[zones.Profession]*mapData
	// The map data of days other than today (see mapDataOn), the most recently
	// asked first.
	mapDaysMu sync.Mutex
	mapDays   []*mapData

	// The ready answers of the most asked query (see resolveFast), for the current
	// day: the default profession's in fast, the others' in fastOthers
	// (zones.Profession → *atomic.Pointer[fastTable]).
	fast       atomic.Pointer[fastTable]
	fastOthers sync.Map
	// The bytes of the ready answers of the day (see readyArena), for every
	// profession.
	fastArena atomic.Pointer[readyArena]

	// The grids telling the points beyond seaRadiusM of every commune (see
	// farGrids), one per territory, built on first use.
	farOnce  sync.Once
	farGrids []*geo.FarGrid
	// The island territories a point in no commune may be at sea around (see
	// islands), made on first use.
	islandsOnce  sync.Once
	islandBounds []territory
}

// Loader builds a State, checking the data; the server calls it at start and on
// every reload.
type Loader func(ctx context.Context) (*State, error)

func (s *State) meta() zones.Meta { return s.Resolver.Dataset.Meta }
