package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"testing"

	"zonage/geo/csvbatch"
	"zonage/importer"
	"zonage/internal/batch"
	"zonage/zones"
)

// benchClassify runs the command's pipeline (CSV reading, resolution, CSV writing on
// both cores) over an in-memory file and reports rows per second.
func benchClassify(b *testing.B, input []byte, rows int) {
	benchClassifyFor(b, input, rows, batch.Choice{})
}

// benchClassifyFor is benchClassify for a choice of professions.
func benchClassifyFor(b *testing.B, input []byte, rows int, choice batch.Choice) {
	snap, err := importer.ReadSnapshotFile(testSnapshot)
	if err != nil {
		b.Fatal(err)
	}
	res := snap.Resolver(zones.DefaultCoastTolerance)
	cl, err := batch.New(res.For, choice)
	if err != nil {
		b.Fatal(err)
	}
	ann := cl.Annotator(zones.Day{})
	var opt csvbatch.Options
	cl.Options(&opt)
	// One pass first: the index prepares polygon parts on first use.
	if _, err := csvbatch.Run(context.Background(), bytes.NewReader(input), io.Discard, ann, opt); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := csvbatch.Run(context.Background(), bytes.NewReader(input), io.Discard, ann, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkClassifyCoordinates: random points spread over every commune (a random
// commune, then a random point of its bounding box), as a national file of cabinets
// would be.
func BenchmarkClassifyCoordinates(b *testing.B) {
	in, rows := randomPoints(b)
	benchClassify(b, in, rows)
}

// BenchmarkClassifyCoordinatesProfession: the same points for one other
// profession, and for all of them at once (--profession all: the usual columns
// and one category column per profession).
func BenchmarkClassifyCoordinatesProfession(b *testing.B) {
	in, rows := randomPoints(b)
	b.Run("infirmier", func(b *testing.B) { benchClassifyFor(b, in, rows, batch.Choice{Profession: zones.Infirmier}) })
	b.Run("all", func(b *testing.B) {
		benchClassifyFor(b, in, rows, batch.Choice{Profession: zones.DefaultProfession, All: true})
	})
}

// randomPoints is the file of BenchmarkClassifyCoordinates.
func randomPoints(b *testing.B) ([]byte, int) {
	var in bytes.Buffer
	in.WriteString("id;latitude;longitude\n")
	rows := drawPoints(b, func(i int, _ zones.Commune, lat, lon float64) {
		fmt.Fprintf(&in, "%d;%.6f;%.6f\n", i, lat, lon)
	})
	return in.Bytes(), rows
}

// drawPoints draws the 200,000 points of the coordinates benchmarks, each a
// random point of the bounding box of a random commune, passed to row with
// that commune; it returns how many.
func drawPoints(b *testing.B, row func(i int, drawnIn zones.Commune, lat, lon float64)) int {
	snap, err := importer.ReadSnapshotFile(testSnapshot)
	if err != nil {
		b.Fatal(err)
	}
	const rows = 200000
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < rows; i++ {
		k := rng.Intn(len(snap.Polygons))
		bound := snap.Polygons[k].Bound()
		lat := bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])
		lon := bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0])
		row(i, snap.Dataset.Communes[k], lat, lon)
	}
	return rows
}

// BenchmarkClassifyCommuneAddresses: postcode and town of every commune, as
// spreadsheets of cabinets hold them (commune precision).
func BenchmarkClassifyCommuneAddresses(b *testing.B) {
	snap, err := importer.ReadSnapshotFile(testSnapshot)
	if err != nil {
		b.Fatal(err)
	}
	var in bytes.Buffer
	in.WriteString("id;code_postal;ville\n")
	rows := 0
	for rows < 100000 {
		for _, c := range snap.Dataset.Communes {
			if len(c.Postcodes) == 0 {
				continue
			}
			fmt.Fprintf(&in, "%d;%s;%s\n", rows, c.Postcodes[0], c.Name)
			rows++
		}
	}
	benchClassify(b, in.Bytes(), rows)
}

// BenchmarkClassifyCoordinatesWithAddresses: the points of
// BenchmarkClassifyCoordinates with the postcode and name of the commune each
// was drawn in, as a geocoded spreadsheet of cabinets holds them: the
// coordinates decide, and the address is looked up too, to warn when it
// names another commune.
func BenchmarkClassifyCoordinatesWithAddresses(b *testing.B) {
	var in bytes.Buffer
	in.WriteString("id;latitude;longitude;code_postal;ville\n")
	rows := drawPoints(b, func(i int, drawnIn zones.Commune, lat, lon float64) {
		postcode := ""
		if len(drawnIn.Postcodes) > 0 {
			postcode = drawnIn.Postcodes[0]
		}
		fmt.Fprintf(&in, "%d;%.6f;%.6f;%s;%s\n", i, lat, lon, postcode, drawnIn.Name)
	})
	benchClassify(b, in.Bytes(), rows)
}
