package zones

import "testing"

func TestDepartementName(t *testing.T) {
	cases := []struct{ code, want string }{
		{"01", "Ain"},
		{"15", "Cantal"},
		{"2A", "Corse-du-Sud"},
		{"2B", "Haute-Corse"},
		{"13", "Bouches-du-Rhône"},
		{"69", "Rhône"},
		{"75", "Paris"},
		{"971", "Guadeloupe"},
		{"972", "Martinique"},
		{"973", "Guyane"},
		{"974", "La Réunion"},
		{"976", "Mayotte"},
		{"20", ""}, // Corse before 1976: no such code now
		{"99", ""},
		{"", ""},
	}
	for _, tc := range cases {
		if got := DepartementName(tc.code); got != tc.want {
			t.Errorf("DepartementName(%q) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

func TestDepartementOfCommune(t *testing.T) {
	cases := []struct{ code, want string }{
		{"01001", "01"},
		{"2A004", "2A"},
		{"2B033", "2B"},
		{"75106", "75"},
		{"97411", "974"},
		{"97701", "977"},
		{"97801", "978"},
		{"98735", "987"},
		{"7510", ""},
		{"", ""},
		{"2C004", ""},
	}
	for _, tc := range cases {
		if got := DepartementOfCommune(tc.code); got != tc.want {
			t.Errorf("DepartementOfCommune(%q) = %q, want %q", tc.code, got, tc.want)
		}
	}
}
