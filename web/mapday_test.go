package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"zonage/geo/mvt/mvttest"
	"zonage/zones"
)

// mapAnswer is the part of /api/v1/map these tests read.
type mapAnswer struct {
	Date    string
	Tiles   map[string]string
	Classes []struct {
		Key, Label string
		Count      int
	}
	RevisionWarning string `json:"revision_warning"`
}

func (a mapAnswer) counts() map[string]int {
	out := map[string]int{}
	for _, c := range a.Classes {
		out[c.Key] = c.Count
	}
	return out
}

// A map of another day: the classes in force that day, in the legend and in the
// tiles, whose URL names the day; today's map and tiles stay today's.
func TestMapOnADay(t *testing.T) {
	today := "2025-06-01"
	st := testState(&today)
	h := testServerWith(t, st, Config{BaseMap: ParseBaseMap("aucun", "")})
	get := func(path string) mapAnswer {
		t.Helper()
		rec := do(t, h, path)
		var ans mapAnswer
		if err := json.Unmarshal(body(t, rec), &ans); err != nil || rec.Code != 200 {
			t.Fatalf("%s: %d %v %s", path, rec.Code, err, rec.Body)
		}
		return ans
	}
	x, y := tileAt(2.32, 48.805, 12)
	tileClasses := func(template string) map[string]int {
		t.Helper()
		path := strings.NewReplacer("{z}", "12", "{x}", fmt.Sprint(x), "{y}", fmt.Sprint(y)).Replace(template)
		rec := do(t, h, path, "Accept-Encoding", "gzip")
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		layers, _ := mvttest.Decode(t, body(t, rec))
		out := map[string]int{}
		for _, f := range layers["communes"] {
			out[f.Value]++
		}
		return out
	}

	now := get("/api/v1/map")
	later := get("/api/v1/map?date=2026-01-01")
	if later.Date != "2026-01-01" || !strings.Contains(later.Tiles["communes"], "&date=2026-01-01") || !strings.Contains(later.Tiles["communes"], "v=test-1.2026-01-01") {
		t.Errorf("map of 2026-01-01: %+v", later)
	}
	if c := later.counts(); c["non_prioritaire"] != 1 || c["intermediaire"] != 0 {
		t.Errorf("counts on 2026-01-01: %v", c)
	}
	// The borders are the same every day: one URL, today's.
	if later.Tiles["departements"] != now.Tiles["departements"] || strings.Contains(now.Tiles["communes"], "date=") {
		t.Errorf("tile URLs today %v, on 2026-01-01 %v", now.Tiles, later.Tiles)
	}
	if got := tileClasses(later.Tiles["communes"]); got["non_prioritaire"] != 1 || got["intermediaire"] != 0 {
		t.Errorf("tile of 2026-01-01: %v", got)
	}
	if got := tileClasses(now.Tiles["communes"]); got["intermediaire"] != 1 || got["non_prioritaire"] != 0 {
		t.Errorf("tile of today after 2026-01-01's: %v", got)
	}
	// Today named as a date is today's map, with today's URLs.
	if same := get("/api/v1/map?date=" + today); same.Tiles["communes"] != now.Tiles["communes"] {
		t.Errorf("date=today: %v, want %v", same.Tiles, now.Tiles)
	}
	// The TileJSON of a day names it.
	var tj struct {
		Tiles       []string
		Description string
	}
	rec := do(t, h, "/api/v1/tiles/communes.json?date=2026-01-01")
	if err := json.Unmarshal(body(t, rec), &tj); err != nil || len(tj.Tiles) != 1 || !strings.Contains(tj.Tiles[0], "&date=2026-01-01") ||
		!strings.Contains(tj.Description, "en vigueur le 01/01/2026") {
		t.Errorf("TileJSON of 2026-01-01: %d %+v %v", rec.Code, tj, err)
	}

	// A day before the data's arrêtés is not « sans zonage »: the zonage then in
	// force is outside the data, and the map says so.
	before := get("/api/v1/map?date=2020-01-01")
	c := before.counts()
	if c[classOutsideData] == 0 || c[classNone] != 0 {
		t.Errorf("counts on 2020-01-01: %v", c)
	}
	if got := tileClasses(before.Tiles["communes"]); got[classOutsideData] == 0 {
		t.Errorf("tile of 2020-01-01: %v", got)
	}

	for _, path := range []string{"/api/v1/map?date=2025-02-30", "/api/v1/tiles/communes/12/0/0.mvt?date=hier", "/api/v1/tiles/communes.json?date=1"} {
		rec := do(t, h, path)
		var p struct{ Field string }
		json.Unmarshal(body(t, rec), &p)
		if rec.Code != 400 || p.Field != "date" {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// The catchment's communes are classed on the day asked for.
func TestCatchmentOnADay(t *testing.T) {
	today := "2025-06-01"
	st := testState(&today)
	ds := st.Resolver.Dataset
	first := ds.Zonage["91002"][0]
	first.EndDate = "2026-01-01"
	second := first
	second.Category, second.OfficialCode, second.EffectiveDate, second.EndDate = zones.SousDotee, zones.SousDotee.OfficialCode(), "2026-01-01", ""
	ds.Zonage["91002"] = []zones.Zonage{first, second}
	ds.Index()
	h := testServer(t, st)
	read := func(path string) (coherent bool, cats map[string]string) {
		t.Helper()
		rec := do(t, h, path)
		var ans struct {
			Coherent bool
			Communes []catchmentMember
		}
		if err := json.Unmarshal(body(t, rec), &ans); err != nil || rec.Code != 200 {
			t.Fatalf("%s: %d %v %s", path, rec.Code, err, rec.Body)
		}
		cats = map[string]string{}
		for _, m := range ans.Communes {
			cats[m.Code] = m.Category
		}
		return ans.Coherent, cats
	}
	if coherent, cats := read("/api/v1/catchments/bassin_de_vie/91001"); !coherent || cats["91002"] != "tres_sous_dotee" {
		t.Errorf("today: coherent %v, %v", coherent, cats)
	}
	if coherent, cats := read("/api/v1/catchments/bassin_de_vie/91001?date=2026-01-01"); coherent || cats["91002"] != "sous_dotee" || cats["91001"] != "tres_sous_dotee" {
		t.Errorf("2026-01-01: coherent %v, %v", coherent, cats)
	}
	if rec := do(t, h, "/api/v1/catchments/bassin_de_vie/91001?date=demain"); rec.Code != 400 {
		t.Errorf("bad date: %d", rec.Code)
	}
}

// Maps of other days are kept a few at a time, and every one of them is the
// day's.
func TestMapDaysKept(t *testing.T) {
	today := "2025-06-01"
	st := testState(&today)
	r := st.Resolver
	for d := 1; d <= mapDaysKept+3; d++ {
		day, _ := zones.ParseDay(fmt.Sprintf("2026-02-%02d", d))
		if md := st.mapDataOn(zones.DefaultProfession, r, day); md.day != day.String() || !md.dated {
			t.Fatalf("map of %s: day %s", day, md.day)
		}
	}
	if len(st.mapDays) != mapDaysKept {
		t.Errorf("%d maps kept, want %d", len(st.mapDays), mapDaysKept)
	}
	day, _ := zones.ParseDay("2026-02-07")
	if st.mapDataOn(zones.DefaultProfession, r, day) != st.mapDays[0] {
		t.Error("the map of a day asked for again is not the one kept")
	}
	// Classes as today's: today's tiles are shared.
	if st.mapDays[0].tiles == st.mapData().tiles {
		t.Error("2026-02-07 differs from today (Delta) but shares its tiles")
	}
	same, _ := zones.ParseDay("2025-07-01")
	if md := st.mapDataOn(zones.DefaultProfession, r, same); md.tiles != st.mapData().tiles {
		t.Error("a day with today's classes does not share today's tiles")
	}
	// A new day of the clock drops the maps built from the old one's.
	today = "2025-06-02"
	st.mapDataOn(zones.DefaultProfession, r, day)
	if len(st.mapDays) != 1 {
		t.Errorf("%d maps kept after the day changed", len(st.mapDays))
	}
}
