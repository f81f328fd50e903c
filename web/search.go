package web

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

// handleSearch answers GET /api/v1/search?q=&limit= with completions over
// communes and, where address data is loaded, streets.
func (s *Server) handleSearch(c *gin.Context) {
	if !checkParams(c, "q", "limit") {
		return
	}
	q := strings.TrimSpace(c.Query("q"))
	if utf8.RuneCountInString(q) < 2 || len(q) > 200 {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "q « "+q+" » invalide : de 2 à 200 caractères attendus", "q", q)
		return
	}
	limit, ok := intParam(c, "limit", 10, 1, 50)
	if !ok {
		return
	}
	st := s.Current()
	if notModifiedToday(c, st, time.Hour) {
		return
	}
	var out []Suggestion
	if st.Suggest != nil {
		out = st.Suggest(q, limit)
	} else {
		for _, m := range st.Resolver.Dataset.SuggestCommunes(q, limit) {
			kind := "commune"
			if m.Parent != "" {
				kind = "arrondissement"
			}
			pc := ""
			if len(m.Postcodes) > 0 {
				pc = m.Postcodes[0]
			}
			out = append(out, Suggestion{Kind: kind, Code: m.Code, Label: m.Name, Postcode: pc, Score: 1})
		}
	}
	out = withCommuneOfCode(st.Resolver.Dataset, q, out, limit)
	if out == nil {
		out = []Suggestion{}
	}
	placeSuggestions(st.Resolver.Dataset, out)
	c.JSON(http.StatusOK, gin.H{"query": q, "results": out})
}

// withCommuneOfCode puts first, when q is the INSEE code of a commune, an
// arrondissement or Paris, Lyon or Marseille, that place: five digits are as often
// a postcode as a code INSEE (69003 is Lyon 3e's postcode and Albigny-sur-Saône's
// code), and a list offering only the postcode's commune would hide the one the
// page opens for a code. A place already listed under that code stays where it is.
func withCommuneOfCode(ds *zones.Dataset, q string, out []Suggestion, limit int) []Suggestion {
	code := strings.ToUpper(q)
	if !zones.ValidCommuneCode(code) {
		return out
	}
	for _, s := range out {
		if s.Code == code {
			return out
		}
	}
	var found Suggestion
	if c, ok := ds.CommuneByCode(code); ok {
		kind := "commune"
		if c.Parent != "" {
			kind = "arrondissement"
		}
		found = Suggestion{Kind: kind, Code: c.Code, Label: c.Name, Score: 1}
	} else if ref, ok := cityByArrondissements(ds, code); ok {
		found = Suggestion{Kind: "commune", Code: ref.Code, Label: ref.Name, Score: 1}
	} else if f, ok := ds.Former[code]; ok {
		// A former commune's code still answers, with the commune it now
		// belongs to: the suggestion says which.
		found = Suggestion{Kind: "commune", Code: f.Code, Label: formerLabel(ds, f), Score: 1}
		if c, ok := ds.CommuneByCode(f.Current); ok && c.Departement != "" {
			found.Departement = &DepartementRef{Code: c.Departement, Name: zones.DepartementName(c.Departement)}
		}
	} else {
		return out
	}
	out = append([]Suggestion{found}, out...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// formerLabel names a former commune and the one it now belongs to:
// « Ruffieu (ancienne commune, aujourd'hui Haut Valromey) ».
func formerLabel(ds *zones.Dataset, f zones.FormerCommune) string {
	name := f.Name
	if name == "" {
		name = f.Code
	}
	current := f.Current
	if c, ok := ds.CommuneByCode(f.Current); ok {
		current = c.Name
	}
	return name + " (ancienne commune, aujourd'hui " + current + ")"
}

// placeSuggestions adds to each suggestion its commune's département and, when
// the commune has one postcode or the suggestion none, a postcode: what tells
// apart two communes of one name.
func placeSuggestions(ds *zones.Dataset, out []Suggestion) {
	for i := range out {
		s := &out[i]
		c, ok := ds.CommuneByCode(s.Code)
		if !ok {
			if ref, ok := cityByArrondissements(ds, s.Code); ok {
				s.Departement = &DepartementRef{Code: ref.Departement, Name: zones.DepartementName(ref.Departement)}
			} else if dep := zones.DepartementOfCommune(s.Code); s.Departement == nil && zones.DepartementName(dep) != "" {
				// A place of the zonage without an outline (Saint-Barthélemy,
				// Saint-Martin): its code still says where it is.
				s.Departement = &DepartementRef{Code: dep, Name: zones.DepartementName(dep)}
			}
			continue
		}
		if c.Departement != "" {
			s.Departement = &DepartementRef{Code: c.Departement, Name: zones.DepartementName(c.Departement)}
		}
		if s.Postcode == "" && s.Kind != "street" && len(c.Postcodes) > 0 {
			s.Postcode = c.Postcodes[0]
		}
	}
}
