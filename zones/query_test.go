package zones

import "testing"

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
