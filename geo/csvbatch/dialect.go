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
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Dialect is how a file is written.
type Dialect struct {
	Encoding  string // EncodingUTF8 or EncodingWindows1252
	BOM       bool   // UTF-8 file starting with a byte-order mark (Excel writes one)
	Delimiter rune
	CRLF      bool // lines end with \r\n
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

// sniff guesses the dialect from the first bytes of a file. UTF-8 is chosen when
// the sample is valid UTF-8 (a rune cut at the sample's end is allowed); anything
// else is read as Windows-1252, which every byte sequence is.
func sniff(sample []byte, atEOF bool) Dialect {
	d := Dialect{Encoding: EncodingUTF8}
	if bytes.HasPrefix(sample, utf8BOM) {
		d.BOM = true
		sample = sample[len(utf8BOM):]
	}
	check := sample
	if !atEOF {
		// Drop a rune cut by the sample's end.
		for i := 0; i < utf8.UTFMax && len(check) > 0; i++ {
			r, size := utf8.DecodeLastRune(check)
			if r != utf8.RuneError || size != 1 {
				break
			}
			check = check[:len(check)-1]
		}
	}
	if !utf8.Valid(check) && !mostlyUTF8(check) {
		d.Encoding = EncodingWindows1252
	}
	if i := bytes.IndexByte(sample, '\n'); i > 0 && sample[i-1] == '\r' {
		d.CRLF = true
	}
	d.Delimiter = sniffDelimiter(sample)
	return d
}

// sniffDelimiter picks the candidate that splits the first lines into the same
// number of fields, the most fields winning; quoted text is skipped so that commas
// inside quoted addresses don't vote.
func sniffDelimiter(sample []byte) rune {
	candidates := []rune{';', ',', '\t', '|'}
	lines := splitLogicalLines(sample, 20)
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

// splitLogicalLines cuts the sample into at most n lines, not breaking inside
// quotes; the last, possibly partial, line is dropped unless it is the only one.
func splitLogicalLines(b []byte, n int) [][]byte {
	var out [][]byte
	inQuote := false
	start := 0
	for i, c := range b {
		switch c {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote {
				out = append(out, b[start:i])
				start = i + 1
				if len(out) == n {
					return out
				}
			}
		}
	}
	if len(out) == 0 && start < len(b) {
		out = append(out, b[start:])
	}
	return out
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

// neutralize makes a cell safe to open in a spreadsheet: a cell starting with
// =, +, -, @, tab or carriage return would be run as a formula (CSV injection), so
// it gets a leading apostrophe, which spreadsheets hide. Plain numbers ("-1.55",
// "+33") are left alone: they are data, not formulas.
func neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
	default:
		return s
	}
	if isPlainNumber(s) {
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

// mostlyUTF8 tells a UTF-8 file with a few cells pasted from a Windows-1252 one
// (read as UTF-8, those cells decoded one by one) from a Windows-1252 file (whose
// accented letters are almost never valid UTF-8 sequences).
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case size > 1:
			valid++
		}
		b = b[size:]
	}
	return valid >= invalid && valid > 0
}
