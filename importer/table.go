package importer

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"zonage/geo/csvbatch"
	"zonage/zones"
)

// table reads one delimited text file the way open-data portals and spreadsheets
// write them, gzipped or not, through the module's one table reader (dialect
// sniffing, encodings, quoting: see csvbatch.Reader). Every source reader goes
// through it, so each quirk is handled once.
type table struct {
	path   string
	r      *csvbatch.Reader
	header []string
	cols   map[string]int // normalised header name -> index
	notes  []string
}

// readSourceFile returns the content of path, gunzipped when it ends in .gz.
func readSourceFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &InputError{File: path, Reason: "fichier introuvable"}
		}
		return nil, &InputError{File: path, Reason: err.Error()}
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, &InputError{File: path, Reason: "archive gzip illisible : " + err.Error()}
		}
		b, err = io.ReadAll(zr)
		if err != nil {
			return nil, &InputError{File: path, Reason: "archive gzip tronquée ou corrompue : " + err.Error()}
		}
	}
	return b, nil
}

// openTable reads the file and prepares to read its records. The header is not
// read: callers skip title lines first when the format has them.
func openTable(path string) (*table, error) {
	raw, err := readSourceFile(path)
	if err != nil {
		return nil, err
	}
	r, err := csvbatch.NewReader(bytes.NewReader(raw), csvbatch.ReaderOptions{})
	if errors.Is(err, csvbatch.ErrEmpty) {
		return nil, &InputError{File: path, Reason: "fichier vide"}
	}
	if err != nil {
		return nil, &InputError{File: path, Reason: err.Error()}
	}
	t := &table{path: path, r: r, notes: r.Notes()}
	if r.Dialect().Encoding == csvbatch.EncodingWindows1252 {
		t.notes = append(t.notes, "encodage Windows-1252 détecté, converti en UTF-8")
	}
	return t, nil
}

// openHeadedTable opens a table whose first line is its header, and returns the
// header's line number.
func openHeadedTable(path string) (*table, int, error) {
	t, err := openTable(path)
	if err != nil {
		return nil, 0, err
	}
	rec, line, err := t.next()
	if err == io.EOF {
		return nil, 0, &InputError{File: path, Reason: "fichier vide (une ligne d'en-tête est attendue)"}
	}
	if err != nil {
		return nil, 0, err
	}
	if err := t.setHeader(rec, line); err != nil {
		return nil, 0, err
	}
	return t, line, nil
}

// next returns the next record, its cells trimmed, and its line number; io.EOF at
// the end. Blank lines are skipped. A record that cannot be read cleanly, or that
// once the header is known has another width, is an error naming its line.
func (t *table) next() ([]string, int, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	if err != nil {
		var le *csvbatch.LimitError
		if errors.As(err, &le) {
			return nil, le.Line, &InputError{File: t.path, Line: le.Line, Reason: le.Reason}
		}
		return nil, 0, &InputError{File: t.path, Reason: err.Error()}
	}
	if rec.Reason != "" {
		return nil, rec.Line, &InputError{File: t.path, Line: rec.Line, Value: strings.Join(rec.Fields, ";"), Reason: "ligne CSV mal formée : " + rec.Reason}
	}
	for i := range rec.Fields {
		rec.Fields[i] = strings.TrimSpace(rec.Fields[i])
	}
	return rec.Fields, rec.Line, nil
}

// normHeader makes a column name comparable: lower case, no accents, no spaces.
func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "à", "a", "ç", "c", "ô", "o", "î", "i", " ", "_", "-", "_", "'", "_")
	return r.Replace(s)
}

// setHeader records the header line so columns can be found by name; the records
// after it must have its width.
func (t *table) setHeader(rec []string, line int) error {
	t.header = rec
	t.r.SetHeaderWidth(len(rec))
	t.cols = map[string]int{}
	for i, h := range rec {
		n := normHeader(h)
		if n == "" {
			continue
		}
		if _, dup := t.cols[n]; dup {
			return &InputError{File: t.path, Line: line, Field: h, Value: h, Reason: "colonne en double dans l'en-tête"}
		}
		t.cols[n] = i
	}
	return nil
}

// col finds a column by any of its names; -1 when absent.
func (t *table) col(names ...string) int {
	for _, n := range names {
		if i, ok := t.cols[normHeader(n)]; ok {
			return i
		}
	}
	return -1
}

// requireCols finds each named column or fails with the header found.
func (t *table) requireCols(line int, names ...[]string) ([]int, error) {
	out := make([]int, len(names))
	for i, alts := range names {
		out[i] = t.col(alts...)
		if out[i] < 0 {
			return nil, &InputError{File: t.path, Line: line, Field: alts[0],
				Reason: fmt.Sprintf("colonne « %s » absente de l'en-tête (trouvé : %s)", strings.Join(alts, " » ou « "), strings.Join(t.header, ", "))}
		}
	}
	return out, nil
}

// field returns column i of rec, or "" when the row is short.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}

// communeCode reads the commune code in column col of record rec, read at line:
// a valid INSEE code the file has not given before (seen maps a code to the line
// that gave it). The zonage tables and the overlays list each commune once.
func (t *table) communeCode(rec []string, line, col int, seen map[string]int) (string, error) {
	code := zones.NormalizeCommuneCode(rec[col])
	if !zones.ValidCommuneCode(code) {
		return "", &InputError{File: t.path, Line: line, Field: t.header[col], Value: rec[col], Reason: "code INSEE invalide (5 caractères attendus, ex. 01001, 2A004)"}
	}
	if prev, dup := seen[code]; dup {
		return "", &InputError{File: t.path, Line: line, Field: t.header[col], Value: rec[col], Reason: fmt.Sprintf("commune en double (déjà ligne %d)", prev)}
	}
	seen[code] = line
	return code, nil
}
