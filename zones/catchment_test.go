package zones

import (
	"encoding/json"
	"testing"
)

// The coherence is the boolean "coherent" in JSON, left out when unknown, and comes
// back as it went.
func TestCoherenceJSON(t *testing.T) {
	cases := []struct {
		name string
		in   Coherence
		want string
	}{
		{"unknown", CoherenceUnknown, `{"kind":"bassin_de_vie","code":"01004","name":"X","derived":true}`},
		{"one category", CoherenceOne, `{"kind":"bassin_de_vie","code":"01004","name":"X","derived":true,"coherent":true}`},
		{"several", CoherenceMixed, `{"kind":"bassin_de_vie","code":"01004","name":"X","derived":true,"coherent":false}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Catchment{Kind: BassinDeVie, Code: "01004", Name: "X", Derived: true, Coherent: tc.in}
			b, err := json.Marshal(c)
			if err != nil || string(b) != tc.want {
				t.Fatalf("%s %v, want %s", b, err, tc.want)
			}
			var back Catchment
			if err := json.Unmarshal(b, &back); err != nil || back != c {
				t.Fatalf("back %+v %v", back, err)
			}
			if back.ClassedWhole() != (tc.in == CoherenceOne) {
				t.Errorf("ClassedWhole %v", back.ClassedWhole())
			}
		})
	}
	var c Coherence
	if err := json.Unmarshal([]byte(`"oui"`), &c); err == nil {
		t.Error("a string read as a coherence")
	}
}
