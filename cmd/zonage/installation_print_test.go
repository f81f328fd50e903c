package main

import (
	"strings"
	"testing"

	"zonage/zones"
)

// TestPrintInstallationHeading: the heading names the zone by its category, and a
// place whose result the export does not give is not called a « zone résultat non
// disponible ».
func TestPrintInstallationHeading(t *testing.T) {
	in := &zones.Installation{Profession: zones.SageFemme, Message: zones.NotCoveredMessage}
	cases := []struct {
		z    *zones.ZonageAnswer
		want string
	}{
		{&zones.ZonageAnswer{Category: zones.Intermediaire, Label: zones.Intermediaire.Label()}, "Installation des sages-femmes — zone intermédiaire"},
		{&zones.ZonageAnswer{Category: zones.NonDisponible, Label: zones.NonDisponible.Label()}, "Installation des sages-femmes — zonage : résultat non disponible"},
	}
	for _, tc := range cases {
		var b strings.Builder
		printInstallation(&b, "", in, tc.z)
		if !strings.HasPrefix(b.String(), tc.want) || strings.Contains(b.String(), "zone résultat") {
			t.Fatalf("got %q, want it to start with %q", b.String(), tc.want)
		}
	}
}
