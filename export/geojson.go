package export

import (
	"io"

	"zonage/geo"
)

// writeGeoJSON writes a FeatureCollection, one feature per commune, id = code.
// Features are flushed in batches so that memory stays small whatever the size.
func writeGeoJSON(w io.Writer, l Layer) error {
	b := []byte(`{"type":"FeatureCollection","name":`)
	b = geo.AppendJSONString(b, l.Name)
	b = append(b, `,"features":[`...)
	for i := range l.Records {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		rec := &l.Records[i]
		b = geo.AppendFeature(b, rec.Code, columns, rec.Values(), l.Outlines[i])
		if len(b) > 256<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "]}\n"...)
	_, err := w.Write(b)
	return err
}
