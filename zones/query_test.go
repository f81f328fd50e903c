package zones

import (
	"errors"
	"strings"
	"testing"
	"zonage/internal/french"
)

// Numbers from people and spreadsheets are plain decimals; Go's wider syntax
// (hexadecimal, underscores, exponents, Inf, NaN) is refused.
func TestParseDecimal(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"48.8493", 48.8493, true},
		{"48,8493", 48.8493, true},
		{" -2.5 ", -2.5, true},
		{"+3", 3, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"0x1p5", 0, false},
		{"1_0", 0, false},
		{"1e2", 0, false},
		{"Inf", 0, false},
		{"NaN", 0, false},
		{"1.2.3", 0, false},
		{"1,2,3", 0, false},
		{"-", 0, false},
		{".", 0, false},
		{"", 0, false},
		{"4 8", 0, false},
		{"--1", 0, false},
	}
	for _, tc := range cases {
		got, ok := ParseDecimal(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// An address too long is refused naming its longest part and quoting the start
// of that part: a message quoting « » would not tell the user which cell to fix.
func TestResolveAddressTooLong(t *testing.T) {
	r := testResolver(t)
	long := strings.Repeat("é", 3000)
	cases := []struct {
		name  string
		q     Query
		field string
	}{
		{"long city", Query{Postcode: "01400", City: long}, "commune"},
		{"long text", Query{Text: long}, "adresse"},
		{"long street", Query{Street: long, City: "Paris"}, "voie"},
		{"parts long together", Query{Text: strings.Repeat("a", 600), City: strings.Repeat("b", 700)}, "commune"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Resolve(tc.q)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("error %v, want an InputError on %s", err, tc.field)
			}
			msg := err.Error()
			value := tc.q.Text + tc.q.Street
			if tc.field == "commune" {
				value = tc.q.City
			}
			quoted := french.Cut(value, maxQuotedValue)
			if !strings.HasPrefix(msg, tc.field+" « "+quoted+" » invalide : adresse trop longue") || !strings.HasSuffix(quoted, "…") {
				t.Errorf("message %.300q…, want the start of the %s quoted", msg, tc.field)
			}
			if n := len([]rune(msg)); n > maxQuotedValue+150 {
				t.Errorf("message of %d characters", n)
			}
		})
	}
	// 1,000 characters of two bytes each are not too long.
	if _, err := r.Resolve(Query{City: strings.Repeat("é", 1000)}); err != nil {
		t.Errorf("1,000 accented characters refused: %v", err)
	}
}

// A query with nothing in it is refused as a whole: no field quoted empty.
func TestResolveNothingToFind(t *testing.T) {
	r := testResolver(t)
	for _, q := range []Query{{}, {Text: "  ", Citycode: " "}} {
		_, err := r.Resolve(q)
		var ie *InputError
		if !errors.As(err, &ie) || err.Error() != "rien à chercher : donnez une adresse, des coordonnées ou un code INSEE" {
			t.Errorf("%+v: %v", q, err)
		}
	}
	_, err := r.ResolveFields(BatchFields{Line: 7})
	if err == nil || err.Error() != "ligne 7 : rien à chercher : donnez une adresse, des coordonnées ou un code INSEE" {
		t.Errorf("empty row: %v", err)
	}
}
