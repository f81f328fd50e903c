package web

import (
	"bytes"
	"fmt"
	"strings"
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
			var p readyArena
			r := p.cut([]byte(tc.answer), nil)
			pieces := p.slices(&r, nil)
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
	var p readyArena
	ra, rb := p.cut([]byte(answer("75106", "Paris 6e Arrondissement")), nil), p.cut([]byte(answer("75107", "Paris 7e Arrondissement")), nil)
	a, b := p.slices(&ra, nil), p.slices(&rb, nil)
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
	var arena readyArena
	kine := arena.cut([]byte(answer("masseur-kinesitherapeute", "non_prioritaire")), nil)
	like := arena.slices(&kine, nil)
	want := answer("infirmier", "sur_dotee")
	other := arena.cut([]byte(want), &kine)
	pieces := arena.slices(&other, nil)
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
	// The shared pieces (the region's, the provenance) are the arena's for both;
	// the commune's own pieces are the default profession's where the bytes are
	// the same, and its message its own.
	if len(reused) != 4 || !reused[`"commune":{"code":"75106","name":"Paris 6e Arrondissement"}`] ||
		!reused[`,"zonage_code":"75106","zonage_name":"Paris 6e Arrondissement"`] ||
		!reused[`,"provenance":{"dataset_version":"v1"}`] {
		t.Errorf("pieces kept from the default profession's: %v, want the commune, the zonage code, the region's and the provenance", reused)
	}
}

// Answers past the first chunk of their arena, and a piece larger than a chunk,
// join back to the answers they were cut from, whatever was kept after them.
func TestReadyArenaChunks(t *testing.T) {
	var arena readyArena
	answer := func(i int) string {
		return fmt.Sprintf(`{"status":"ok","commune":{"code":"%05d","name":"%s"},"zonage":{"category":"c%d"},"message":"m%d","provenance":{}`,
			i, strings.Repeat("n", i%500), i%7, i)
	}
	const n = 3000
	kept := make([]readyAnswer, n)
	for i := range kept {
		kept[i] = arena.cut([]byte(answer(i)), nil)
	}
	big := `{"status":"ok","commune":{"name":"` + strings.Repeat("g", readyChunkBytes) + `"}`
	bigKept := arena.cut([]byte(big), nil)
	if chunks := len(*arena.chunks.Load()); chunks < 3 {
		t.Fatalf("%d chunks: the test does not cross one", chunks)
	}
	for i := range kept {
		if got := bytes.Join(arena.slices(&kept[i], nil), nil); string(got) != answer(i) {
			t.Fatalf("answer %d joins to\n%.200s\nwant\n%.200s", i, got, answer(i))
		}
	}
	if got := bytes.Join(arena.slices(&bigKept, nil), nil); string(got) != big {
		t.Errorf("the piece larger than a chunk joins to %d bytes, want %d", len(got), len(big))
	}
}
