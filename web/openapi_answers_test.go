package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// openAPISchemas is the document's schemas, with every $ref followed on demand.
type openAPISchemas struct{ doc map[string]any }

func (d openAPISchemas) deref(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		var target any = d.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			target = target.(map[string]any)[strings.ReplaceAll(part, "~1", "/")]
		}
		s = target.(map[string]any)
	}
}

// merged folds allOf into one schema: the union of the properties and required
// fields of its parts.
func (d openAPISchemas) merged(s map[string]any) map[string]any {
	s = d.deref(s)
	parts, ok := s["allOf"].([]any)
	if !ok {
		return s
	}
	out := map[string]any{}
	props := map[string]any{}
	var required []any
	for k, v := range s {
		if k != "allOf" {
			out[k] = v
		}
	}
	for _, p := range parts {
		m := d.merged(p.(map[string]any))
		for k, v := range m {
			switch k {
			case "properties":
				for name, ps := range v.(map[string]any) {
					props[name] = ps
				}
			case "required":
				required = append(required, v.([]any)...)
			default:
				if _, set := out[k]; !set {
					out[k] = v
				}
			}
		}
	}
	if len(props) > 0 {
		out["properties"] = props
	}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// check walks an answer against its schema strictly: besides types, enums,
// required fields and null, a field the schema does not describe is an error,
// so that the document cannot fall behind the answers a client reads.
func (d openAPISchemas) check(v any, schema map[string]any, path string, errs *[]string) {
	s := d.merged(schema)
	if v == nil {
		if nullable, _ := s["nullable"].(bool); !nullable {
			*errs = append(*errs, fmt.Sprintf("%s: null, the schema does not allow it", path))
		}
		return
	}
	if alts, ok := s["oneOf"].([]any); ok {
		var best []string
		for i, alt := range alts {
			var e []string
			d.check(v, alt.(map[string]any), path, &e)
			if len(e) == 0 {
				return
			}
			if i == 0 || len(e) < len(best) {
				best = e
			}
		}
		*errs = append(*errs, best...)
		return
	}
	if typ, ok := s["type"].(string); ok && !jsonTypeIs(v, typ) {
		*errs = append(*errs, fmt.Sprintf("%s: %T %.80v, the schema says %s", path, v, v, typ))
		return
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		*errs = append(*errs, fmt.Sprintf("%s: %v not in %v", path, v, enum))
	}
	if pattern, ok := s["pattern"].(string); ok {
		if str, isStr := v.(string); isStr && !regexp.MustCompile(pattern).MatchString(str) {
			*errs = append(*errs, fmt.Sprintf("%s: %q does not match %s", path, str, pattern))
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for _, r := range required {
			if _, ok := v[r.(string)]; !ok {
				*errs = append(*errs, fmt.Sprintf("%s: required field %v missing", path, r))
			}
		}
		for k, x := range v {
			if ps, ok := props[k]; ok {
				d.check(x, ps.(map[string]any), path+"."+k, errs)
				continue
			}
			switch extra := s["additionalProperties"].(type) {
			case map[string]any:
				d.check(x, extra, path+"."+k, errs)
			case bool:
				if !extra {
					*errs = append(*errs, fmt.Sprintf("%s: field %q not in the schema", path, k))
				}
			default:
				if len(props) > 0 {
					*errs = append(*errs, fmt.Sprintf("%s: field %q not in the schema", path, k))
				}
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, x := range v {
				d.check(x, items, path+"["+strconv.Itoa(i)+"]", errs)
			}
		}
	}
}

func jsonTypeIs(v any, typ string) bool {
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "number":
		_, ok := v.(float64)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return true
}

// responseSchema is the JSON schema the document gives for a status of the
// operation at route (a path template), or an error saying why there is none.
func (d openAPISchemas) responseSchema(route string, status int) (map[string]any, error) {
	op, ok := d.doc["paths"].(map[string]any)[route].(map[string]any)["get"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("GET %s not documented", route)
	}
	resp, ok := op["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("GET %s: status %d not documented", route, status)
	}
	for ct, media := range d.deref(resp)["content"].(map[string]any) {
		if strings.Contains(ct, "json") {
			return media.(map[string]any)["schema"].(map[string]any), nil
		}
	}
	return nil, fmt.Errorf("GET %s: no JSON schema for %d", route, status)
}

// On the real data, the answers a client reads — every kind of resolve answer
// (categories, sea, abroad, overseas, arrondissements, ambiguous communes
// nouvelles, other professions, past and future days, profiles) and the errors —
// carry exactly the fields, types and values web/openapi.json describes.
func TestAnswersMatchOpenAPIStrictly(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole data folder")
	}
	day := "2025-06-01"
	// The general path, without the ready answers' background fill: it would
	// outlive the test and share the state's clock with the tests after it.
	// Ready answers are held to the same bytes by the golden tests.
	_, general := readyAndGeneral(t, franceOnDay(t, &day))
	h := general.Handler()
	var doc map[string]any
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	schemas := openAPISchemas{doc}
	cases := []struct{ route, path string }{
		{"/api/v1/resolve", "/api/v1/resolve?lat=48.8493&lon=2.3325"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=01001"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=97406"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=97701"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=08439"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=75056"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=15031"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=01330&postcode=75006"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=99999"},
		{"/api/v1/resolve", "/api/v1/resolve?lat=43.2&lon=5.0"},
		{"/api/v1/resolve", "/api/v1/resolve?lat=50.85&lon=4.35"},
		{"/api/v1/resolve", "/api/v1/resolve?lat=43.7384&lon=7.4246"},
		{"/api/v1/resolve", "/api/v1/resolve?lat=-21.1151&lon=55.5364"},
		{"/api/v1/resolve", "/api/v1/resolve?lat=45.76&lon=4.83"},
		{"/api/v1/resolve", "/api/v1/resolve?city=Paris"},
		{"/api/v1/resolve", "/api/v1/resolve?postcode=01260&city=Ruffieu"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=01001&date=2019-01-01"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=01001&date=2030-01-01"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=03033&statut=titulaire&debut_etudes=2024&annees_etablissement=1&deja_conventionne=non&projet=creation&installe_depuis=2020-01-01"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=01001&profession=infirmier"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=01001&profession=orthophoniste"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=08439&profession=sage-femme"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=75056&profession=chirurgien-dentiste"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=75106&profession=plombier"},
		{"/api/v1/resolve", "/api/v1/resolve?lat=91&lon=2"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=75106&date=2024-02-30"},
		{"/api/v1/resolve", "/api/v1/resolve?citycode=75106&foo=1"},
		{"/api/v1/communes/{code}", "/api/v1/communes/08439?geometry=1"},
		{"/api/v1/communes/{code}", "/api/v1/communes/75056"},
		{"/api/v1/communes/{code}", "/api/v1/communes/99999"},
		{"/api/v1/dataset", "/api/v1/dataset"},
		{"/api/v1/dataset", "/api/v1/dataset?date=2025-01-01"},
	}
	for _, c := range cases {
		rec := do(t, h, c.path)
		schema, err := schemas.responseSchema(c.route, rec.Code)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		var answer any
		if err := json.Unmarshal(body(t, rec), &answer); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		var errs []string
		schemas.check(answer, schema, "$", &errs)
		slices.Sort(errs)
		errs = slices.Compact(errs)
		for _, e := range errs {
			u, _ := url.PathUnescape(c.path)
			t.Errorf("%s (%d): %s", u, rec.Code, e)
		}
	}
}

// The rate limit (--limite-debit) covers every route: each operation documents
// its 429 and the Retry-After that goes with it, so that a generated client
// expects it; the batch routes document the 503 of a classification past its
// delay.
func TestOpenAPIDocumentsRateLimitEverywhere(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Ref string `json:"$ref"`
			} `json:"responses"`
		} `json:"paths"`
		Components struct {
			Responses map[string]struct {
				Headers map[string]any `json:"headers"`
			} `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			ref := op.Responses["429"].Ref
			name := strings.TrimPrefix(ref, "#/components/responses/")
			if _, ok := doc.Components.Responses[name].Headers["Retry-After"]; !ok {
				t.Errorf("%s %s: 429 %q does not document Retry-After", method, path, ref)
			}
		}
	}
	for _, path := range []string{"/api/v1/classify", "/search/csv/"} {
		if _, ok := doc.Paths[path]["post"].Responses["503"]; !ok {
			t.Errorf("POST %s: 503 not documented", path)
		}
	}
}
