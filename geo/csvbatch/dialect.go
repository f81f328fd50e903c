package csvbatch

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Encoding names the text encodings read and written.
const (
	EncodingUTF8        = "utf-8"
	EncodingWindows1252 = "windows-1252"
	// EncodingUTF16 is read (with its byte-order mark, as Excel's "Unicode text"
	// writes it) and converted to UTF-8; it is never written.
	EncodingUTF16 = "utf-16"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Dialect is how a file is written.
type Dialect struct {
	// Encoding is the file's dominant encoding, EncodingUTF8 or EncodingWindows1252
	// (EncodingUTF16 for an input converted to UTF-8 as it is read). Each record is
	// read in its own: a record that is valid UTF-8 is UTF-8, any other is
	// Windows-1252.
	Encoding  string
	BOM       bool // UTF-8 file starting with a byte-order mark (Excel writes one)
	Delimiter rune
	LineEnd   string // "\n", "\r\n" or "\r" (old Mac Excel); written as "\r\n" for "\r"
	// SepLine is "sep=" as written (any case) when the file starts with Excel's
	// "sep=X" line declaring its delimiter, before the header; "" otherwise. The
	// output starts with one too, declaring its own delimiter, so that Excel opens
	// it the same way.
	SepLine string
}

// ParseEncoding reads an encoding name as users write it.
func ParseEncoding(s string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-")) {
	case "":
		return "", nil
	case "utf-8", "utf8":
		return EncodingUTF8, nil
	case "windows-1252", "cp1252", "latin-1", "latin1", "iso-8859-1", "iso-8859-15", "ansi":
		return EncodingWindows1252, nil
	}
	return "", fmt.Errorf("encodage « %s » inconnu (utf-8 ou windows-1252)", s)
}

// ParseDelimiter reads a delimiter as users write it: ";", ",", "tab" or "\t", "|".
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case ";", "semicolon", "point-virgule":
		return ';', nil
	case ",", "comma", "virgule":
		return ',', nil
	case "\t", `\t`, "tab", "tabulation":
		return '\t', nil
	case "|", "pipe":
		return '|', nil
	}
	return 0, fmt.Errorf("séparateur « %s » non pris en charge (; , tab ou |)", s)
}

// sniff guesses the dialect from the first bytes of a file: the line end is the
// first one met; the dominant encoding is Windows-1252 when more lines with non-ASCII
// bytes are not valid UTF-8 than are, UTF-8 otherwise.
func sniff(sample []byte, atEOF bool) Dialect {
	d := Dialect{Encoding: EncodingUTF8, LineEnd: "\n"}
	if bytes.HasPrefix(sample, utf8BOM) {
		d.BOM = true
		sample = sample[len(utf8BOM):]
	}
	lines, firstEnd := sampleLines(sample, atEOF)
	if firstEnd != "" {
		d.LineEnd = firstEnd
	}
	valid, invalid := 0, 0
	for _, l := range lines {
		if isASCII(l) {
			continue
		}
		if utf8.Valid(l) {
			valid++
		} else {
			invalid++
		}
	}
	if !d.BOM && invalid > valid {
		d.Encoding = EncodingWindows1252
	}
	d.Delimiter = sniffDelimiter(lines)
	return d
}

// sampleLines cuts a sample into its non-empty lines, as the record reader does;
// the last one is dropped when the sample may have cut it.
func sampleLines(b []byte, atEOF bool) (lines [][]byte, firstEnd string) {
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			if atEOF || len(lines) == 0 {
				lines = append(lines, b)
			}
			break
		}
		end := b[i : i+1]
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			end = b[i : i+2]
		}
		if firstEnd == "" {
			firstEnd = string(end)
		}
		if i > 0 {
			lines = append(lines, b[:i])
		}
		b = b[i+len(end):]
	}
	return lines, firstEnd
}

// sniffDelimiter picks the candidate that splits the first lines into the same
// number of fields, the most fields winning; quoted text is skipped so that commas
// inside quoted addresses don't vote.
func sniffDelimiter(lines [][]byte) rune {
	if len(lines) > 20 {
		lines = lines[:20]
	}
	candidates := []rune{';', ',', '\t', '|'}
	best, bestScore := ',', -1
	for _, c := range candidates {
		minCount, total := -1, 0
		for _, l := range lines {
			n := countOutsideQuotes(l, byte(c))
			total += n
			if minCount < 0 || n < minCount {
				minCount = n
			}
		}
		if total == 0 {
			continue
		}
		// Consistency first (every line has the delimiter), then frequency.
		score := minCount*1000 + total
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

func countOutsideQuotes(line []byte, c byte) int {
	n := 0
	inQuote := false
	for _, b := range line {
		if b == '"' {
			inQuote = !inQuote
		} else if b == c && !inQuote {
			n++
		}
	}
	return n
}

// neutralize makes a cell safe to open in a spreadsheet: a cell whose first
// character, past any spaces and line ends, is =, +, -, @ (or their full-width
// forms ＝ ＋ － ＠, which spreadsheets also read as formulas), or that starts with a
// tab or carriage return, would be run as a formula (CSV injection), so it gets a
// leading apostrophe, which spreadsheets hide. Plain numbers ("-1.55", "+33") are
// left alone: they are data, not formulas. The full-width forms are looked for only
// in UTF-8 text (utf8Text), the only encoding that has them.
func neutralize(s string, utf8Text bool) string {
	if s == "" {
		return s
	}
	if s[0] == '\t' || s[0] == '\r' {
		return "'" + s
	}
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
		i++
	}
	rest := s[i:]
	switch {
	case rest == "":
		return s
	case rest[0] == '=' || rest[0] == '+' || rest[0] == '-' || rest[0] == '@':
		if isPlainNumber(strings.TrimRight(rest, " ")) {
			return s
		}
	case utf8Text && (strings.HasPrefix(rest, "＝") || strings.HasPrefix(rest, "＋") || strings.HasPrefix(rest, "－") || strings.HasPrefix(rest, "＠")):
	default:
		return s
	}
	return "'" + s
}

func isPlainNumber(s string) bool {
	i := 0
	if s[0] == '+' || s[0] == '-' {
		i = 1
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case (c == '.' || c == ',') && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// binaryFormats are the files people send instead of a CSV, told by their first
// bytes: classified as text they would make one garbled header and no row.
var binaryFormats = []struct {
	magic []byte
	what  string
}{
	{[]byte("PK\x03\x04"), "classeur Excel (.xlsx), OpenDocument (.ods) ou archive zip"},
	{[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), "classeur Excel 97-2003 (.xls)"},
	{[]byte("\x1F\x8B"), "fichier compressé (gzip)"},
	{[]byte("%PDF-"), "document PDF"},
}

// NotCSVError is a file refused for what its first bytes say it is.
type NotCSVError struct {
	What string // the kind of file, in French
}

func (e *NotCSVError) Error() string {
	return e.What + ", pas un fichier CSV : enregistrez-le au format CSV (texte, séparateur point-virgule) puis classez ce fichier"
}

// notCSV says why a file that starts with sample is not a CSV, or returns nil.
func notCSV(sample []byte) error {
	for _, f := range binaryFormats {
		if bytes.HasPrefix(sample, f.magic) {
			return &NotCSVError{What: f.what}
		}
	}
	return nil
}
