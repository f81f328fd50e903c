package importer

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// table reads one delimited text file the way open-data portals and spreadsheets
// write them: gzipped or not, UTF-8 with or without BOM or Windows-1252, separated by
// ';', ',' or tabs, quoted or not. Every source reader goes through it, so each quirk
// is handled once.
type table struct {
	path   string
	r      *csv.Reader
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

// decodeText strips a UTF-8 BOM and converts Windows-1252 (what Excel writes on
// French systems) to UTF-8; the note says when it did.
func decodeText(b []byte) ([]byte, string) {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	if utf8.Valid(b) {
		return b, ""
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return b, ""
	}
	return out, "encodage Windows-1252 détecté, converti en UTF-8"
}

// sniffDelimiter picks the separator that splits the first lines most consistently.
func sniffDelimiter(b []byte) rune {
	lines := bytes.SplitN(b, []byte("\n"), 6)
	if len(lines) > 5 {
		lines = lines[:5]
	}
	best, bestScore := ',', 0
	for _, d := range []rune{';', ',', '\t', '|'} {
		score := 0
		for _, l := range lines {
			score += bytes.Count(l, []byte(string(d)))
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// openTable reads the file, decodes it and prepares a CSV reader over it. The header
// is not read: callers skip title lines first when the format has them.
func openTable(path string) (*table, error) {
	raw, err := readSourceFile(path)
	if err != nil {
		return nil, err
	}
	text, note := decodeText(raw)
	t := &table{path: path}
	if note != "" {
		t.notes = append(t.notes, note)
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = sniffDelimiter(text)
	r.FieldsPerRecord = -1 // checked by the callers, which name the line
	r.ReuseRecord = false
	t.r = r
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

// next returns the next record and its line number, io.EOF at the end. Blank lines
// are skipped by encoding/csv.
func (t *table) next() ([]string, int, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	line, _ := t.r.FieldPos(0)
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.Line, &InputError{File: t.path, Line: pe.Line, Reason: "ligne CSV mal formée : " + pe.Err.Error()}
		}
		return nil, line, &InputError{File: t.path, Reason: err.Error()}
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec, line, nil
}

// normHeader makes a column name comparable: lower case, no accents, no spaces.
func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "à", "a", "ç", "c", "ô", "o", "î", "i", " ", "_", "-", "_", "'", "_")
	return r.Replace(s)
}

// setHeader records the header line so columns can be found by name.
func (t *table) setHeader(rec []string, line int) error {
	t.header = rec
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
