package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/spf13/cobra"

	"zonage/geo/bangeocoder"
	"zonage/zones"
)

// geocoderFlags choose how addresses are matched: offline from the snapshot (the
// default), or by the public BAN/Géoplateforme geocoder.
type geocoderFlags struct {
	kind string
	url  string
}

func addGeocoderFlags(cmd *cobra.Command, f *geocoderFlags) {
	cmd.Flags().StringVar(&f.kind, "geocoder", "hors-ligne", "recherche des adresses : hors-ligne (tables de l'instantané) ou ban (géocodeur public BAN/Géoplateforme, 50 requêtes/s)")
	cmd.Flags().StringVar(&f.url, "geocoder-url", bangeocoder.GeoplateformeBaseURL, "adresse du géocodeur BAN (avec --geocoder ban)")
}

// apply sets the resolver's address matcher as the flags ask.
func (f *geocoderFlags) apply(res *zones.Resolver) error {
	switch f.kind {
	case "", "hors-ligne", "offline":
		return nil
	case "ban":
		res.Addresses = banMatcher{client: &bangeocoder.Client{BaseURL: f.url, UserAgent: "zonage"}}
		return nil
	}
	return usageErr("--geocoder « %s » : hors-ligne ou ban attendu", f.kind)
}

// banMatcher answers address queries with the public geocoder. Its answers are
// taken when their score reaches minBANScore; two communes scoring alike make the
// query ambiguous rather than a guess.
type banMatcher struct{ client *bangeocoder.Client }

const (
	minBANScore = 0.5
	banTieScore = 0.02
)

// Remote says that the geocoder is asked over the network: the resolver does
// not spend its quota on an address given beside coordinates, which decide.
func (b banMatcher) Remote() bool { return true }

func (b banMatcher) MatchAddress(q zones.Query) zones.AddressMatch {
	text := q.Text
	for _, part := range []string{q.Street, q.City} {
		if part != "" {
			text += " " + part
		}
	}
	if q.Postcode != "" && q.City == "" && q.Text == "" {
		text += " " + q.Postcode
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := b.client.Search(ctx, bangeocoder.Query{Text: text, Postcode: q.Postcode, Citycode: q.Citycode, Limit: 5})
	if err != nil {
		return zones.AddressMatch{Status: zones.StatusNotFound, Message: err.Error()}
	}
	if !r.Found {
		return zones.AddressMatch{Status: zones.StatusNotFound, Message: "adresse introuvable par le géocodeur BAN"}
	}
	m := zones.AddressMatch{Status: zones.StatusOK, Code: r.Citycode, Score: r.Score, Lat: r.Lat, Lon: r.Lon, Label: r.Label}
	if r.OldCitycode != "" {
		// The address lies in a commune déléguée, for which older zonages were published.
		m.Code = r.OldCitycode
	}
	switch r.Type {
	case bangeocoder.TypeHouseNumber:
		m.Level = zones.LevelHouseNumber
	case bangeocoder.TypeStreet, bangeocoder.TypeLocality:
		m.Level = zones.LevelStreet
	default:
		m.Level = zones.LevelMunicipality
	}
	if r.Score < minBANScore {
		return zones.AddressMatch{Status: zones.StatusNotFound, Score: r.Score, Label: r.Label,
			Message: fmt.Sprintf("correspondance trop incertaine du géocodeur BAN (score %.2f) : « %s »", r.Score, r.Label)}
	}
	for _, c := range r.Candidates {
		if c.Citycode != r.Citycode && math.Abs(r.Score-c.Score) < banTieScore {
			return zones.AddressMatch{Status: zones.StatusAmbiguous, Level: m.Level, Score: r.Score, Message: "adresse ambiguë pour le géocodeur BAN",
				Candidates: []zones.AddressCandidate{{Code: r.Citycode, Name: r.City, Score: r.Score}, {Code: c.Citycode, Name: c.City, Score: c.Score}}}
		}
	}
	return m
}
