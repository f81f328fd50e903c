package french

import "testing"

func TestCount(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{
		{0, "0 ligne en erreur"},
		{1, "1 ligne en erreur"},
		{2, "2 lignes en erreur"},
		{-1, "-1 ligne en erreur"},
		{1500, "1500 lignes en erreur"},
	}
	for _, tc := range cases {
		if got := Count(tc.n, "ligne en erreur", "lignes en erreur"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
