package web

import (
	"fmt"
	"math/rand"
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb"
)

func TestZZLook(t *testing.T) {
	st := loadFrance(t)
	_, general := readyAndGeneral(t, st)
	r := st.Resolver
	rng := rand.New(rand.NewSource(42))
	var att, near string
	for att == "" || near == "" {
		lon, lat := -4.8+rng.Float64()*13.0, 42.3+rng.Float64()*8.8
		id, in, _ := r.Locator.Locate(orb.Point{lon, lat}, r.ToleranceM)
		p := fmt.Sprintf("/api/v1/resolve?lat=%.6f&lon=%.6f", lat, lon)
		if id >= 0 && !in && att == "" {
			att = p
		}
		if id < 0 && near == "" {
			if id2, _, _ := r.Locator.Locate(orb.Point{lon, lat}, seaRadiusM); id2 >= 0 {
				near = p
			}
		}
	}
	for _, p := range []string{att, near} {
		for _, q := range []string{"&options=0", "", "&profession=infirmier&options=0", "&profession=infirmier"} {
			rec := httptest.NewRecorder()
			general.Handler().ServeHTTP(rec, httptest.NewRequest("GET", p+q, nil))
			fmt.Printf("%s%s\n%v\n%.3000s\n\n", p, q, rec.Header(), rec.Body.String())
		}
	}
}
