package export

import (
	"encoding/csv"
	"io"

	"zonage/zones"
)

// columns are the fields of every format.
var columns = zones.RecordColumns

// writeCSV writes one line per commune, comma-separated, UTF-8, RFC 4180 quoting.
// The values are codes, names and dates: none starts with a character a
// spreadsheet would run as a formula.
func writeCSV(w io.Writer, l Layer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return err
	}
	for i := range l.Records {
		if err := cw.Write(l.Records[i].Values()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
