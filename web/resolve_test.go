package web

import (
	"net/http"
	"strings"
	"testing"
)

// A query that names no place is refused naming the parameter the caller sent
// empty, with its value; with no parameter at all, q.
func TestResolveEmptyParameterNamed(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, testState(&today))
	cases := []struct {
		path, field, value, detail string
	}{
		{"/api/v1/resolve?citycode=", "citycode", "", "citycode «  » invalide : vide ; attendu un code INSEE"},
		{"/api/v1/resolve?citycode=%20%20", "citycode", "  ", "citycode «    » invalide : vide"},
		{"/api/v1/resolve?citycode=&q=", "citycode", "", "citycode «  » invalide"},
		{"/api/v1/resolve?q=", "q", "", "q «  » invalide : vide ; attendu une adresse"},
		{"/api/v1/resolve?postcode=&city=", "postcode", "", "postcode «  » invalide"},
		{"/api/v1/resolve?city=", "city", "", "city «  » invalide"},
		{"/api/v1/resolve", "q", "", "rien à chercher"},
	}
	for _, tc := range cases {
		rec := do(t, h, tc.path)
		p := problemOf(t, rec)
		if rec.Code != http.StatusBadRequest || p.Field != tc.field || p.Value != tc.value || !strings.HasPrefix(p.Detail, tc.detail) {
			t.Errorf("%s: %d, field %q, value %q, detail %q; want field %q, value %q, detail %q…",
				tc.path, rec.Code, p.Field, p.Value, p.Detail, tc.field, tc.value, tc.detail)
		}
	}
	// An empty parameter beside one that names a place is no error.
	if rec := do(t, h, "/api/v1/resolve?citycode=91001&q=&postcode="); rec.Code != http.StatusOK {
		t.Errorf("citycode with empty q and postcode: %d %s", rec.Code, rec.Body)
	}
}
