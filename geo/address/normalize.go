package address

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// AppendNormalized appends to dst the canonical form in which names and address lines are
// compared:
//
//   - upper-case ASCII letters and digits separated by single spaces: accents are
//     removed, ligatures spelt out (Œ → OE), hyphens, apostrophes and every other
//     sign become a space;
//   - abbreviations are written in full, so that both spellings meet: ST → SAINT,
//     STE → SAINTE, FG → FAUBOURG, DR → DOCTEUR…, and the street type that opens
//     a street or follows a house number: R → RUE, BD → BOULEVARD, AV → AVENUE…;
//   - CEDEX mentions ("CEDEX", "CEDEX 06") and post-box lines ("BP 123",
//     "CS 40001", "TSA 10001") are dropped: they say how mail is routed, not where
//     the place is;
//   - an arrondissement of Paris, Lyon or Marseille is written as the city and two
//     digits, as La Poste does: "Paris 6e", "PARIS 06", "Paris 6ème arrondissement",
//     "Paris VI" → "PARIS 06"; "Lyon 3eme" → "LYON 03";
//   - a house number keeps its indice as a letter after it: "12bis" and "12 BIS"
//     → "12 B", "12 ter" → "12 T", "12 quater" → "12 Q".
//
// It does not allocate when dst has room for twice the folded text.
func AppendNormalized(dst []byte, s string) []byte {
	start := len(dst)
	dst = fold(dst, s)
	// Dropping a mention brings together words that were apart ("PARIS CEDEX
	// X" becomes "PARIS X"): the result is read again until nothing moves, so
	// that normalising a normalised text changes nothing.
	for pass := 0; ; pass++ {
		folded := len(dst)
		var joined bool
		dst, joined = rewrite(dst, start, folded)
		n := copy(dst[start:], dst[folded:])
		dst = dst[:start+n]
		if !joined || pass == maxPasses {
			return dst
		}
	}
}

// maxPasses bounds the rereading of AppendNormalized: each pass that joins words
// drops at least one, and real addresses need one or two.
const maxPasses = 8

// fold appends s as upper-case ASCII words separated by single spaces.
func fold(dst []byte, s string) []byte {
	start := len(dst)
	space := true // no leading space
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'a' && c <= 'z':
				dst = append(dst, c-'a'+'A')
				space = false
			case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
				dst = append(dst, c)
				space = false
			case !space:
				dst = append(dst, ' ')
				space = true
			}
			continue
		}
		folded, size := foldRune(s[i:])
		i += size
		switch {
		case folded != "":
			dst = append(dst, folded...)
			space = false
		case !space:
			dst = append(dst, ' ')
			space = true
		}
	}
	if space && len(dst) > start {
		dst = dst[:len(dst)-1] // the trailing separator
	}
	return dst
}

// latin1 folds U+00C0…U+00FF; '.' marks a sign (× and ÷), '*' a two-letter fold.
const latin1 = "AAAAAA*CEEEEIIIIDNOOOOO.OUUUUY**AAAAAA*CEEEEIIIIDNOOOOO.OUUUUY*Y"

// latinExtA folds U+0100…U+017F; '*' marks a two-letter fold (IJ, OE).
const latinExtA = "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIII**JJKKKLLLLLLLLLLNNNNNNNNNOOOOOO**RRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZS"

// foldRune folds the rune at the start of s (which is not ASCII) to upper-case
// ASCII letters, or to "" when it is not a Latin letter. It returns the number of
// bytes read.
func foldRune(s string) (string, int) {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError:
		return "", size
	case r >= 0xC0 && r <= 0xFF:
		switch c := latin1[r-0xC0]; c {
		case '.':
			return "", size
		case '*':
			switch r {
			case 0xC6, 0xE6:
				return "AE", size
			case 0xDE, 0xFE:
				return "TH", size
			}
			return "SS", size
		}
		return latin1[r-0xC0 : r-0xC0+1], size
	case r >= 0x100 && r <= 0x17F:
		if latinExtA[r-0x100] == '*' {
			if r <= 0x133 {
				return "IJ", size
			}
			return "OE", size
		}
		return latinExtA[r-0x100 : r-0x100+1], size
	}
	// Other Latin letters with diacritics (Ș, Ǎ, Ḥ…): keep the base letter of the
	// canonical decomposition when it is ASCII.
	if d := norm.NFD.PropertiesString(s).Decomposition(); len(d) > 0 {
		c := d[0]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c >= 'A' && c <= 'Z' {
			return asciiLetters[c-'A' : c-'A'+1], size
		}
	}
	return "", size
}

const asciiLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// Words of the folded text, as classified by rewrite.
const (
	wordNone   = iota // nothing written yet
	wordNumber        // a number: a house number or a postcode
	wordSuffix        // the indice after a house number
	wordOther
)

// rewrite reads the folded words in dst[start:end] and appends their canonical
// form after end. joined reports that words were dropped between two written
// ones.
func rewrite(dst []byte, start, end int) (_ []byte, joined bool) {
	rw := rewriter{dst: dst, out: end}
	for pos := start; pos < end; {
		w, next := word(rw.dst, pos, end)
		pos = rw.word(w, next, end)
	}
	return rw.dst, rw.joined
}

// rewriter appends the canonical form of folded words after them, in dst.
type rewriter struct {
	dst         []byte
	out         int  // where the canonical form starts in dst
	last        int  // the kind of the last word written
	lastArticle bool // the last word written is "DU", "DE LA"…
	dropped     bool // words were dropped since the last one written
	joined      bool // words were dropped between two written ones
}

// begin starts a word of kind: a space before it unless it is the first.
func (rw *rewriter) begin(kind int) {
	if len(rw.dst) > rw.out {
		rw.dst = append(rw.dst, ' ')
		rw.joined = rw.joined || rw.dropped
	}
	rw.last, rw.lastArticle, rw.dropped = kind, false, false
}

func (rw *rewriter) emit(w []byte, kind int) {
	rw.begin(kind)
	rw.dst = append(rw.dst, w...)
}

func (rw *rewriter) emitString(w string, kind int) {
	rw.begin(kind)
	rw.dst = append(rw.dst, w...)
}

// word writes the canonical form of w, a word read before pos, and returns where
// the next word to read starts: after the words it takes with it.
func (rw *rewriter) word(w []byte, pos, end int) int {
	if w[0] >= '0' && w[0] <= '9' {
		d, split := glued(w)
		switch {
		case d == len(w):
			rw.emit(w, wordNumber)
			return pos
		case !split:
			rw.emit(w, wordOther) // "6E", "1ER", "2CV1"
			return pos
		}
		// "12BIS", "12B", "3BV", "12R": the number, then the rest as the
		// word that follows it.
		rw.emit(w[:d], wordNumber)
		w = w[d:]
	}
	info, special := specialWords[string(w)]
	if !special {
		if rw.last == wordNumber && len(w) <= 2 {
			rw.emit(w, wordSuffix) // "12 A", "3 BV" as "3BV"
		} else {
			rw.emit(w, wordOther)
		}
		return pos
	}
	if info.drop != "" && (rw.last != wordNumber || len(w) > 1) {
		// "CEDEX 06", "BP 123", "B P 45", "BOITE POSTALE 7"; but "12 B" is
		// an indice.
		if next, ok := rw.drop(&info, pos, end); ok {
			return next
		}
	}
	if info.arrondissements > 0 {
		if n, after, ok := arrondissementNumber(rw.dst, pos, end, info.arrondissements); ok {
			rw.emit(w, wordOther)
			rw.emitString(twoDigits[n], wordOther)
			return after
		}
	}
	if info.streetType != "" && (rw.last != wordOther || (len(w) > 1 && rw.lastArticle && info.title == "")) {
		// "R" after a number is "rue", not an indice: "12 r de Vaugirard";
		// after an article the type is part of the name: "rue du Ch Vert"
		// (but "rue du Gal Leclerc" is a général).
		rw.emitString(info.streetType, wordOther)
		return pos
	}
	if rw.last == wordNumber {
		if info.repetition != "" {
			rw.emitString(info.repetition, wordSuffix)
			return pos
		}
		if len(w) == 1 {
			rw.emit(w, wordSuffix)
			return pos
		}
	}
	if info.title != "" {
		rw.emitString(info.title, wordOther)
		return pos
	}
	rw.emit(w, wordOther)
	rw.lastArticle = info.article
	return pos
}

// drop drops the postal mention the word info describes opens ("CEDEX 06",
// "BP 123", "B P 45"): with the word info.drop names after it, unless that is
// "*", and the number that follows; or the word alone when info.alone. It
// returns where the next word to read starts and whether anything was dropped.
func (rw *rewriter) drop(info *wordInfo, pos, end int) (int, bool) {
	at := pos
	if info.drop != "*" {
		var p []byte
		if p, at = word(rw.dst, pos, end); string(p) != info.drop {
			return pos, false
		}
	}
	if n, after := numberAt(rw.dst, at, end); len(n) > 0 && len(n) >= info.minDigits && (info.maxDigits == 0 || len(n) <= info.maxDigits) {
		rw.dropped = true
		return after, true
	}
	if info.alone {
		rw.dropped = true
		return pos, true
	}
	return pos, false
}

// word returns the word of folded text starting at pos and where the next one
// starts; an empty word when pos is at the end.
func word(b []byte, pos, end int) ([]byte, int) {
	if pos >= end {
		return nil, end
	}
	e := pos
	for e < end && b[e] != ' ' {
		e++
	}
	return b[pos:e], e + 1
}

// arrondissementNumber reads the ordinal after "PARIS", "LYON" or "MARSEILLE" at
// pos: "6", "06", "6E", "6EME", "1ER", "VI", "VIE", optionally followed by a
// separate "E"/"EME" and by "ARRONDISSEMENT" or its abbreviations.
func arrondissementNumber(b []byte, pos, end, max int) (n, after int, ok bool) {
	w, next := word(b, pos, end)
	if len(w) == 0 {
		return 0, 0, false
	}
	if d, split := glued(w); split && d <= 2 {
		// "PARIS 1AA" reads as "PARIS 1 AA", as it will once normalised.
		w, next = w[:d], pos+d
	}
	if n, ok = ordinal(w); !ok || n < 1 || n > max {
		return 0, 0, false
	}
	// What follows the number ("6 ème arr.") goes with it, however repeated, so
	// that normalising twice changes nothing.
	after = next
	for {
		s, next := word(b, after, end)
		if !ordinalSuffix[string(s)] && !arrondissementWord[string(s)] {
			return n, after, true
		}
		after = next
	}
}

// numberAt returns the number at pos as AppendNormalized writes it — a word of digits,
// or the digits of a number glued to an indice ("0A") — and where what follows
// starts; no number when there is none.
func numberAt(b []byte, pos, end int) ([]byte, int) {
	w, next := word(b, pos, end)
	if len(w) == 0 || w[0] < '0' || w[0] > '9' {
		return nil, pos
	}
	switch d, split := glued(w); {
	case d == len(w):
		return w, next
	case split:
		return w[:d], pos + d
	}
	return nil, pos
}

// glued returns the length of the digits that open w, and whether w is a number
// glued to a word that AppendNormalized writes apart: an indice ("12B", "12BIS", "3BV")
// or an abbreviation ("12R"), not an ordinal ("6E") nor a code ("2CV1").
func glued(w []byte) (digits int, split bool) {
	for digits < len(w) && w[digits] >= '0' && w[digits] <= '9' {
		digits++
	}
	rest := w[digits:]
	if digits == 0 || len(rest) == 0 || ordinalSuffix[string(rest)] || !allLetters(rest) {
		return digits, false
	}
	_, special := specialWords[string(rest)]
	return digits, len(rest) <= 2 || special
}

// ordinal parses "6", "06", "6E", "6EME", "1ER", "XVI", "XVIE".
func ordinal(w []byte) (n int, ok bool) {
	d := 0
	for d < len(w) && w[d] >= '0' && w[d] <= '9' {
		n = n*10 + int(w[d]-'0')
		d++
	}
	if d > 0 {
		return n, d <= 2 && (d == len(w) || ordinalSuffix[string(w[d:])])
	}
	r := 0
	for r < len(w) && (w[r] == 'I' || w[r] == 'V' || w[r] == 'X') {
		r++
	}
	if r == 0 || (r < len(w) && !ordinalSuffix[string(w[r:])]) {
		return 0, false
	}
	n, ok = roman[string(w[:r])]
	return n, ok
}

func allDigits(w []byte) bool {
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func allLetters(w []byte) bool {
	for _, c := range w {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// wordInfo says what rewrite does with a word.
type wordInfo struct {
	streetType      string // full form where a street type stands
	title           string // full form anywhere
	repetition      string // indice letter after a house number
	arrondissements int    // PARIS, LYON, MARSEILLE: how many arrondissements
	// drop marks a word that opens a mention to drop: "*" when a number follows
	// it directly, else the word that must come between ("B P 45").
	drop      string
	minDigits int  // shortest number the mention takes
	maxDigits int  // longest number the mention takes; 0 = any
	alone     bool // the word is dropped even without a number ("CEDEX")
	article   bool // a street type abbreviation after it is one: "rue du Ch Vert"
}

// specialWords gathers every word rewrite acts on, so that each word of a name
// costs one lookup.
var specialWords = func() map[string]wordInfo {
	out := map[string]wordInfo{}
	set := func(w string, f func(*wordInfo)) {
		info := out[w]
		f(&info)
		out[w] = info
	}
	for w, full := range streetTypes {
		set(w, func(i *wordInfo) { i.streetType = full })
	}
	for w, full := range titles {
		set(w, func(i *wordInfo) { i.title = full })
	}
	for w, r := range repetition {
		set(w, func(i *wordInfo) { i.repetition = r })
	}
	for w, n := range map[string]int{"PARIS": 20, "LYON": 9, "MARSEILLE": 16} {
		set(w, func(i *wordInfo) { i.arrondissements = n })
	}
	set("BP", func(i *wordInfo) { i.drop = "*" })
	set("CIDEX", func(i *wordInfo) { i.drop = "*" })
	// Courses spéciales and TSA numbers have five digits: "Voie CS/12" is a
	// street of Paris.
	set("CS", func(i *wordInfo) { i.drop, i.minDigits, i.maxDigits = "*", 5, 5 })
	set("TSA", func(i *wordInfo) { i.drop, i.minDigits, i.maxDigits = "*", 5, 5 })
	set("CEDEX", func(i *wordInfo) { i.drop, i.maxDigits, i.alone = "*", 3, true })
	for w := range articles {
		set(w, func(i *wordInfo) { i.article = true })
	}
	set("B", func(i *wordInfo) { i.drop = "P" })
	set("BOITE", func(i *wordInfo) { i.drop = "POSTALE" })
	return out
}()

var twoDigits = func() []string {
	out := make([]string, 21)
	for i := range out {
		out[i] = string([]byte{byte('0' + i/10), byte('0' + i%10)})
	}
	return out
}()

var roman = map[string]int{"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
	"XI": 11, "XII": 12, "XIII": 13, "XIV": 14, "XV": 15, "XVI": 16, "XVII": 17, "XVIII": 18, "XIX": 19, "XX": 20}

var ordinalSuffix = map[string]bool{"E": true, "EME": true, "EMES": true, "IEME": true, "ER": true, "ERE": true, "EM": true}

var arrondissementWord = map[string]bool{"ARRONDISSEMENT": true, "ARRONDISSEMENTS": true, "ARR": true, "ARRT": true,
	"ARRDT": true, "ARROND": true, "ARRONDT": true}

// repetition maps the indices de répétition to the letter BAN writes.
var repetition = map[string]string{"BIS": "B", "TER": "T", "QUATER": "Q", "QUINQUIES": "C"}

// streetTypes are the street types written in full when abbreviated, only where a
// street type stands (first word, or after the house number): elsewhere "R" or
// "PL" are initials or words.
var streetTypes = map[string]string{
	"R": "RUE", "AV": "AVENUE", "AVE": "AVENUE", "AVN": "AVENUE", "AVEN": "AVENUE",
	"BD": "BOULEVARD", "BLD": "BOULEVARD", "BVD": "BOULEVARD", "BOUL": "BOULEVARD", "BOULD": "BOULEVARD",
	"PL": "PLACE", "CH": "CHEMIN", "CHE": "CHEMIN", "CHEM": "CHEMIN", "CHM": "CHEMIN", "RTE": "ROUTE",
	"IMP": "IMPASSE", "ALL": "ALLEE", "QU": "QUAI", "QAI": "QUAI", "SQ": "SQUARE", "CRS": "COURS",
	"PASS": "PASSAGE", "PSG": "PASSAGE", "PSGE": "PASSAGE", "VLA": "VILLA", "RPT": "ROND POINT", "RDPT": "ROND POINT",
	"PROM": "PROMENADE", "ESP": "ESPLANADE", "ESPL": "ESPLANADE", "CARR": "CARREFOUR", "CRF": "CARREFOUR",
	"PRV": "PARVIS", "GAL": "GALERIE", "SENT": "SENTIER", "TRAV": "TRAVERSE", "MTE": "MONTEE",
	"RESID": "RESIDENCE", "CHS": "CHAUSSEE", "PTE": "PORTE", "QUAR": "QUARTIER", "HLE": "HALLE", "LD": "LIEU DIT",
}

// articles are the words after which a street type abbreviation stands for a
// street type inside a name.
var articles = map[string]bool{"DU": true, "DE": true, "DES": true, "D": true, "LA": true, "LE": true, "L": true,
	"AU": true, "AUX": true}

// titles are abbreviations written in full wherever they stand.
var titles = map[string]string{
	"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "STES": "SAINTES", "FG": "FAUBOURG", "FBG": "FAUBOURG",
	"DR": "DOCTEUR", "GAL": "GENERAL", "GEN": "GENERAL", "MAL": "MARECHAL", "PDT": "PRESIDENT",
	"PROF": "PROFESSEUR", "CDT": "COMMANDANT", "CMDT": "COMMANDANT", "LT": "LIEUTENANT", "LTN": "LIEUTENANT",
	"MGR": "MONSEIGNEUR", "GD": "GRAND", "GDE": "GRANDE", "MT": "MONT",
}
