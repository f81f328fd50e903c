package bangeocoder

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// DefaultLimit is the number of features Search asks for when Query.Limit is
// zero: the service's own default, enough to see whether the best match has
// a close rival.
const DefaultLimit = 5

// maxJSONBody bounds a /search/ answer; a few features weigh a few kilobytes.
const maxJSONBody = 8 << 20

// ErrEmptyQuery is returned by Search for a query with no text: the service
// answers 400 to an empty q, so it is not asked.
var ErrEmptyQuery = errors.New("géocodeur BAN : adresse vide, rien à chercher")

// Query is one address to geocode. Postcode and Citycode (INSEE code) restrict
// the search to that area when set.
type Query struct {
	Text     string
	Postcode string
	Citycode string
	// Limit is the number of features Search asks for (the best one and the
	// candidates); 0 selects DefaultLimit. SearchBatch ignores it: the CSV
	// endpoint keeps only the best feature.
	Limit int
}

// Result is the geocoder's best answer to a Query. Found is false when the
// service knows no place matching the query; the other fields are then zero.
type Result struct {
	Found bool
	// Lat and Lon are WGS84 degrees of the matched place: the address point
	// for a housenumber, a point of the street, locality or commune otherwise.
	Lat, Lon float64
	Label    string  // e.g. "12 Rue de Vaugirard 75006 Paris"
	Score    float64 // 0..1, how well the label matches the query
	// ScoreNext is the score of the second best feature (0 when none): a best
	// score barely above it means an ambiguous query.
	ScoreNext float64
	// Type is the precision of the match.
	Type        ResultType
	ID          string // BAN key, e.g. "75106_9761_00012"; the INSEE code for a municipality
	HouseNumber string
	Street      string
	Name        string
	Postcode    string
	City        string
	// Citycode is the current INSEE code of the commune, the arrondissement's
	// for Paris, Lyon and Marseille (75106, not 75056).
	Citycode string
	District string // "Paris 6e Arrondissement" for an arrondissement
	Context  string // "75, Paris, Île-de-France": département, its name, région
	// OldCitycode and OldCity name the former commune (commune déléguée) of an
	// address in a commune nouvelle, when the BAN knows it.
	OldCitycode string
	OldCity     string
	// Candidates are the next features Search received, best first; SearchBatch
	// leaves it empty.
	Candidates []Candidate
}

// ResultType is what a feature is, the precision of a match.
type ResultType string

// The types of the BAN's features.
const (
	TypeHouseNumber  ResultType = "housenumber"  // an address point
	TypeStreet       ResultType = "street"       // a street, the number not found
	TypeLocality     ResultType = "locality"     // a lieu-dit
	TypeMunicipality ResultType = "municipality" // a commune
)

// Candidate is a feature that ranked after the best one.
type Candidate struct {
	Lat, Lon    float64
	Label       string
	Score       float64
	Type        ResultType
	ID          string
	HouseNumber string
	Street      string
	Postcode    string
	City        string
	Citycode    string
}

// Search geocodes one address with GET /search/. Completion is turned off
// (autocomplete=0): the query is a whole address, not the prefix a user is
// typing. Answers, found or not, are cached by normalised query.
func (c *Client) Search(ctx context.Context, q Query) (Result, error) {
	c.init()
	text := strings.Join(strings.Fields(q.Text), " ")
	if text == "" {
		return Result{}, ErrEmptyQuery
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	key := cacheKey("search", q, limit)
	if r, ok := c.Cache.Get(key); ok {
		return r, nil
	}

	v := url.Values{}
	v.Set("q", text)
	v.Set("limit", strconv.Itoa(limit))
	v.Set("autocomplete", "0")
	if pc := strings.TrimSpace(q.Postcode); pc != "" {
		v.Set("postcode", pc)
	}
	if cc := strings.TrimSpace(q.Citycode); cc != "" {
		v.Set("citycode", cc)
	}
	u := c.BaseURL + "/search/?" + v.Encode()
	resp, err := c.do(ctx, http.MethodGet, u, nil, "")
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()

	var fc featureCollection
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJSONBody)).Decode(&fc); err != nil {
		return Result{}, &Error{Method: http.MethodGet, URL: u, Status: resp.StatusCode, Detail: "JSON illisible", Err: err}
	}
	r, err := fc.result()
	if err != nil {
		return Result{}, &Error{Method: http.MethodGet, URL: u, Status: resp.StatusCode, Detail: err.Error()}
	}
	c.Cache.Put(key, r)
	return r, nil
}

// featureCollection is the GeoCodeJSON answer of /search/, reduced to what a
// Result carries. The services add more (x and y in Lambert-93, importance,
// banId and _type on the Géoplateforme); they are not needed here.
type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

type feature struct {
	Geometry struct {
		Type        string    `json:"type"`
		Coordinates []float64 `json:"coordinates"` // [lon, lat]
	} `json:"geometry"`
	Properties struct {
		Label       string     `json:"label"`
		Score       float64    `json:"score"`
		HouseNumber string     `json:"housenumber"`
		ID          string     `json:"id"`
		Name        string     `json:"name"`
		Postcode    string     `json:"postcode"`
		Citycode    string     `json:"citycode"`
		City        string     `json:"city"`
		District    string     `json:"district"`
		OldCitycode string     `json:"oldcitycode"`
		OldCity     string     `json:"oldcity"`
		Context     string     `json:"context"`
		Type        ResultType `json:"type"`
		Street      string     `json:"street"`
	} `json:"properties"`
}

func (fc *featureCollection) result() (Result, error) {
	if fc.Type != "FeatureCollection" {
		return Result{}, errors.New("FeatureCollection attendue, type « " + fc.Type + " » reçu")
	}
	if len(fc.Features) == 0 {
		return Result{}, nil
	}
	for i, f := range fc.Features {
		if len(f.Geometry.Coordinates) < 2 {
			return Result{}, errors.New("résultat n° " + strconv.Itoa(i+1) + " sans coordonnées")
		}
	}
	best := fc.Features[0]
	p := best.Properties
	r := Result{
		Found:       true,
		Lon:         best.Geometry.Coordinates[0],
		Lat:         best.Geometry.Coordinates[1],
		Label:       p.Label,
		Score:       p.Score,
		Type:        p.Type,
		ID:          p.ID,
		HouseNumber: p.HouseNumber,
		Street:      p.Street,
		Name:        p.Name,
		Postcode:    p.Postcode,
		City:        p.City,
		Citycode:    p.Citycode,
		District:    p.District,
		Context:     p.Context,
		OldCitycode: p.OldCitycode,
		OldCity:     p.OldCity,
	}
	for _, f := range fc.Features[1:] {
		p := f.Properties
		r.Candidates = append(r.Candidates, Candidate{
			Lon:         f.Geometry.Coordinates[0],
			Lat:         f.Geometry.Coordinates[1],
			Label:       p.Label,
			Score:       p.Score,
			Type:        p.Type,
			ID:          p.ID,
			HouseNumber: p.HouseNumber,
			Street:      p.Street,
			Postcode:    p.Postcode,
			City:        p.City,
			Citycode:    p.Citycode,
		})
	}
	if len(r.Candidates) > 0 {
		r.ScoreNext = r.Candidates[0].Score
	}
	return r, nil
}
