package web

import (
	"bytes"
	"testing"
)

func TestReadyPiecesCut(t *testing.T) {
	region := `,"region":{"code":"11","name":"Île-de-France"},"arrete_date":"2024-11-05","date_status":"regionale"`
	answer := func(code, name string) string {
		return `{"status":"ok","date":"2026-11-29","commune":{"code":"` + code + `","name":"` + name + `","region":{"code":"11","name":"Île-de-France"}},` +
			`"zonage":{"category":"non_prioritaire","label":"non prioritaire","zonage_code":"` + code + `","zonage_name":"` + name + `"` + region +
			`,"source":"cartosante"},"match":{"method":"interieur","precision":"coordonnees"},"message":"` + name + ` (` + code + `) : non prioritaire",` +
			`"provenance":{"dataset_version":"v1"}`
	}
	cases := []struct {
		name   string
		answer string
		pieces int
	}{
		{"every cut", answer("75106", "Paris 6e Arrondissement"), 7},
		{"no zonage", `{"status":"introuvable","date":"2026-11-29","commune":{"code":"97701","region":{"code":"","name":""}},"match":{"method":"interieur"},"message":"97701 : aucun zonage","provenance":{"dataset_version":"v1"}`, 5},
		{"candidates", `{"status":"ambigu","date":"2026-11-29","commune":{"code":"08439"},"candidates":[{"code":"08001","zonage":{"category":"sous_dotee","zonage_code":"08001","region":{"code":"44"},"source":"cartosante"}},{"code":"08002","zonage":{"category":"intermediaire","zonage_code":"08002","region":{"code":"44"},"source":"cartosante"}}],"match":{},"message":"…","provenance":{}`, 7},
		{"no cut at all", `{"status":"ok"`, 1},
		{"a quote in a value is no cut", `{"status":"ok","commune":{"name":"a\",\"zonage\":"},"message":"x"`, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p readyPieces
			pieces := p.cut([]byte(tc.answer), nil)
			if got := bytes.Join(pieces, nil); string(got) != tc.answer {
				t.Fatalf("pieces join to\n%s\nwant\n%s", got, tc.answer)
			}
			if len(pieces) != tc.pieces {
				t.Errorf("%d pieces, want %d: %q", len(pieces), tc.pieces, pieces)
			}
		})
	}

	// Two communes of one region share the region's piece and the provenance,
	// and keep their own commune and message.
	var p readyPieces
	a := p.cut([]byte(answer("75106", "Paris 6e Arrondissement")), nil)
	b := p.cut([]byte(answer("75107", "Paris 7e Arrondissement")), nil)
	if len(a) != len(b) {
		t.Fatalf("%d and %d pieces", len(a), len(b))
	}
	shared := 0
	for i := range a {
		same := &a[i][0] == &b[i][0]
		if same != bytes.Equal(a[i], b[i]) {
			t.Errorf("piece %d (%q, %q): kept once %v", i, a[i], b[i], same)
		}
		if same {
			shared++
		}
	}
	if shared != 4 {
		t.Errorf("%d pieces kept once, want 4 (status, category, region to match, provenance)", shared)
	}
	if !bytes.HasPrefix(a[4], []byte(region)) {
		t.Errorf("region piece %q", a[4])
	}
}

// Another profession's answer for a commune keeps the pieces it has in common
// with the default profession's (the commune), and its own bytes for the rest.
func TestReadyPiecesCutLike(t *testing.T) {
	answer := func(profession, category string) string {
		return `{"profession":"` + profession + `","status":"ok","commune":{"code":"75106","name":"Paris 6e Arrondissement"},` +
			`"zonage":{"category":"` + category + `","zonage_code":"75106","zonage_name":"Paris 6e Arrondissement","region":{"code":"11"},"source":"cartosante"},` +
			`"message":"Paris 6e Arrondissement (75106) : ` + category + `","provenance":{"dataset_version":"v1"}`
	}
	var kine, other readyPieces
	like := kine.cut([]byte(answer("masseur-kinesitherapeute", "non_prioritaire")), nil)
	want := answer("infirmier", "sur_dotee")
	pieces := other.cut([]byte(want), like)
	if got := bytes.Join(pieces, nil); string(got) != want {
		t.Fatalf("pieces join to\n%s\nwant\n%s", got, want)
	}
	reused := map[string]bool{}
	for _, p := range pieces {
		for _, l := range like {
			if len(p) > 0 && &p[0] == &l[0] {
				reused[string(p)] = true
			}
		}
	}
	if len(reused) != 2 || !reused[`"commune":{"code":"75106","name":"Paris 6e Arrondissement"}`] ||
		!reused[`,"zonage_code":"75106","zonage_name":"Paris 6e Arrondissement"`] {
		t.Errorf("pieces kept from the default profession's: %v, want the commune and the zonage code", reused)
	}
}
