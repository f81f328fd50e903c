package zones

import (
	"strings"
	"testing"
	"time"
)

func TestParseDay(t *testing.T) {
	d, err := ParseDay(" 2024-02-29 ")
	if err != nil || d.String() != "2024-02-29" || d.French() != "29/02/2024" || d.AddYears(2).String() != "2026-03-01" {
		t.Fatalf("ParseDay: %v %v", d, err)
	}
	for _, bad := range []string{"", "2025-02-30", "01/11/2025", "2025-13-01", "demain"} {
		if _, err := ParseDay(bad); err == nil || !strings.Contains(err.Error(), "date « "+bad+" » invalide") {
			t.Errorf("ParseDay(%q) = %v, want an error naming the field date", bad, err)
		}
	}
	var zero Day
	if !zero.IsZero() || zero.String() != "" {
		t.Error("zero Day")
	}
}

// The resolver's clock is the one day of every answer that names none.
func TestResolverClock(t *testing.T) {
	paris := time.FixedZone("Paris", 3600)
	r := &Resolver{Clock: func() time.Time { return time.Date(2026, 11, 29, 0, 30, 0, 0, paris) }}
	if got := r.Today().String(); got != "2026-11-29" {
		t.Fatalf("Today = %s, want the day in the clock's own zone", got)
	}
}

func TestRevision(t *testing.T) {
	cases := []struct {
		name, day     string
		a             ZonageAnswer
		since, expect string
		age           string
		overdue       bool
		warning, note string
	}{
		{name: "fresh", day: "2025-06-15", a: ZonageAnswer{Region: regionRef("76"), ArreteDate: "2024-10-29"},
			since: "2024-10-29", expect: "2026-10-29", age: "7 mois"},
		{name: "due: the warning says so", day: "2026-11-29", a: ZonageAnswer{Region: regionRef("76"), ArreteDate: "2024-10-29"},
			since: "2024-10-29", expect: "2026-10-29", age: "2 ans et 1 mois", overdue: true,
			warning: "zonage d'Occitanie issu de l'arrêté du 29/10/2024, il y a 2 ans et 1 mois : la loi prévoit sa révision tous les deux ans, attendue le 29/10/2026"},
		{name: "due, from an effective date: since when it applies", day: "2026-11-29", a: ZonageAnswer{Region: regionRef("53"), ArreteDate: "2024-11-20", EffectiveDate: "2024-11-21"},
			since: "2024-11-21", expect: "2026-11-21", age: "2 ans", overdue: true,
			warning: "zonage de Bretagne en vigueur depuis le 21/11/2024, il y a 2 ans : la loi prévoit sa révision tous les deux ans, attendue le 21/11/2026"},
		{name: "the effective date counts", day: "2026-11-29", a: ZonageAnswer{Region: regionRef("28"), ArreteDate: "2025-01-20", EffectiveDate: "2025-02-01"},
			since: "2025-02-01", expect: "2027-02-01", age: "1 an et 9 mois"},
		{name: "unknown date", day: "2026-11-29", a: ZonageAnswer{Region: regionRef("44")}, note: "date de l'arrêté inconnue"},
		{name: "AURA: both claimed dates give their revision", day: "2026-11-29",
			a:    ZonageAnswer{Region: regionRef("84"), DateStatus: DateConflict, DateClaims: aura().Current.Claims},
			note: "révision attendue le 01/11/2026 ou le 01/11/2027 selon la date retenue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rv := revision(&tc.a, tc.day)
			if rv.Since != tc.since || rv.Expected != tc.expect || rv.Age != tc.age || rv.Overdue != tc.overdue ||
				!strings.Contains(rv.Warning, tc.warning) || (tc.warning == "") != (rv.Warning == "") || !strings.Contains(rv.Note, tc.note) {
				t.Errorf("revision = %+v", rv)
			}
			if strings.Join(rv.Sources, ",") != "L-VALLETOUX,L4b" {
				t.Errorf("sources %v", rv.Sources)
			}
		})
	}
}

func aura() Region {
	r, _ := RegionByCode("84")
	return r
}

func TestOfRegion(t *testing.T) {
	for name, want := range map[string]string{"Occitanie": "d'Occitanie", "Île-de-France": "d'Île-de-France", "Auvergne-Rhône-Alpes": "d'Auvergne-Rhône-Alpes",
		"Normandie": "de Normandie", "La Réunion": "de La Réunion"} {
		if got := OfRegion(name); got != want {
			t.Errorf("OfRegion(%q) = %q, want %q", name, got, want)
		}
	}
}

// Before the earliest day the data's zonage can have been in force, the answer says
// it is outside the data: its own date, the earliest of dates that disagree, or the
// region's previous arrêté, which the served zonage replaced.
func TestOutsideData(t *testing.T) {
	ds := &Dataset{Zonage: map[string][]Zonage{
		"67482": {{Code: "67482", Name: "Strasbourg", Category: Intermediaire, Region: "44", Scheme: SchemeAvenant7, Source: "cartosante"}},
		"01001": {{Code: "01001", Name: "L'Abergement-Clémenciat", Category: TresSousDotee, Region: "84", Scheme: SchemeAvenant7, Source: "cartosante"}},
		"14118": {{Code: "14118", Name: "Caen", Category: Intermediaire, Region: "28", Scheme: SchemeAvenant7, Source: "cartosante"}},
	}}
	ds.Index()
	r := &Resolver{Dataset: ds}
	cases := []struct {
		code, day string
		outside   bool
		why       string
	}{
		{"67482", "2018-06-01", true, "depuis le 18/02/2019 au plus tôt (date de l'arrêté précédent"},
		{"67482", "2020-01-01", false, ""},
		{"01001", "2024-06-01", true, "depuis le 01/11/2024 au plus tôt (la plus ancienne des dates que donnent les sources)"},
		{"01001", "2025-06-01", false, ""},
		{"14118", "2025-01-31", true, "zonage connu de Normandie s'applique depuis le 01/02/2025 au plus tôt (date tirée des publications régionales)"},
		{"14118", "2025-02-01", false, ""},
	}
	for _, tc := range cases {
		res, err := r.ResolveCodeOn(tc.code, mustTestDay(tc.day))
		if err != nil || res.OutsideData != tc.outside || (res.Status == StatusNotFound) != tc.outside || !strings.Contains(res.Message, tc.why) || res.Date.String() != tc.day {
			t.Errorf("%s on %s: %v %s %q (%v)", tc.code, tc.day, res.OutsideData, res.Status, res.Message, err)
		}
	}
}
