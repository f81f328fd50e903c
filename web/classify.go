package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"zonage/geo/csvbatch"
	"zonage/internal/batch"
	"zonage/internal/spool"
	"zonage/zones"
)

// maxJSONQueries caps the JSON variant of classify, which holds its answers in
// memory; larger batches go through the streamed CSV variant.
const maxJSONQueries = 10000

// apiAdresseColumns are the columns the api-adresse /search/csv/ endpoint adds, so
// that tools built for it read our answers unchanged.
var apiAdresseColumns = []string{"latitude", "longitude", "result_label", "result_score", "result_score_next", "result_type",
	"result_id", "result_housenumber", "result_name", "result_street", "result_postcode", "result_city", "result_context",
	"result_citycode", "result_oldcitycode", "result_oldcity", "result_district", "result_status"}

// handleClassify answers POST /api/v1/classify: a CSV (multipart field "data" or
// the raw body) comes back streamed with the zonage_* columns; a JSON array of
// queries comes back as a JSON array of answers.
func (s *Server) handleClassify(c *gin.Context) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == "application/json" {
		s.classifyJSON(c)
		return
	}
	s.classifyCSV(c, false)
}

// handleSearchCSV answers POST /search/csv/ with the api-adresse contract: the
// latitude, longitude and result_* columns, then ours.
func (s *Server) handleSearchCSV(c *gin.Context) {
	s.classifyCSV(c, true)
}

type batchParams struct {
	opt      csvbatch.Options
	filename string
	body     io.Reader
	day      zones.Day // the date parameter; zero = today
	// choice is the profession parameter: the professions the columns answer for.
	choice batch.Choice
	// statuses, when set, are the zonage_statut values of the rows to write.
	statuses map[string]bool
}

// removeUploads removes the temporary files of a multipart form. The server does it
// only for the request it handed over, and the middleware hands on copies (a
// deadline makes one), so the handler that parsed the form removes them.
func removeUploads(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

// multipartMemory is how much of an upload is held in memory; the rest goes to a
// temporary file, removed when the request ends whatever its outcome.
const multipartMemory = 4 << 20

// batchParamNames are the parameters of the CSV classification, in the query
// string or as form fields.
var batchParamNames = []string{"columns", "street", "postcode", "citycode", "city", "lat", "lon", "status",
	"delimiter", "encoding", "output_delimiter", "output_encoding", "no_header", "result_columns", "date", "profession"}

// columnParams name the column of a role, by header name or 1-based position, or
// "-" for none; "columns" names the address column (or the columns joined to make
// it, as api-adresse does).
var columnParams = map[string]csvbatch.Role{"street": csvbatch.RoleStreet, "postcode": csvbatch.RolePostcode,
	"citycode": csvbatch.RoleCitycode, "city": csvbatch.RoleCity, "lat": csvbatch.RoleLat, "lon": csvbatch.RoleLon}

// readBatchParams takes the CSV and its parameters from a multipart form (as the
// api-adresse clients send them) or from a raw body with query parameters. The
// caller closes p.body and removes the form's files (removeUploads).
func (s *Server) readBatchParams(c *gin.Context) (*batchParams, bool) {
	p := &batchParams{filename: "resultat.csv", opt: csvbatch.Options{Columns: map[csvbatch.Role]string{}}}
	values := c.Request.URL.Query()
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == "multipart/form-data" {
		if !s.readMultipart(c, p, values) {
			return nil, false
		}
	} else {
		p.body = c.Request.Body
	}
	if !checkValues(c, values, batchParamNames) {
		return nil, false
	}
	bad := func(field string, err error) bool {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, fieldDetail(field, err), field, values.Get(field))
		return false
	}
	for _, v := range values["columns"] {
		switch v = strings.TrimSpace(v); v {
		case "":
			// An empty choice (a form's "detected" entry) leaves the address column to the header.
		case csvbatch.NoColumn:
			p.opt.Columns[csvbatch.RoleAddress] = v
		default:
			p.opt.AddressParts = append(p.opt.AddressParts, v)
		}
	}
	for param, role := range columnParams {
		if v := values.Get(param); v != "" {
			p.opt.Columns[role] = v
		}
	}
	if err := p.readStatuses(values["status"]); err != nil {
		return nil, bad("status", err)
	}
	var err error
	if p.opt.Delimiter, err = csvbatch.ParseDelimiter(values.Get("delimiter")); err != nil {
		return nil, bad("delimiter", err)
	}
	if p.opt.OutDelimiter, err = csvbatch.ParseDelimiter(values.Get("output_delimiter")); err != nil {
		return nil, bad("output_delimiter", err)
	}
	if p.opt.Encoding, err = csvbatch.ParseEncoding(values.Get("encoding")); err != nil {
		return nil, bad("encoding", err)
	}
	if p.opt.OutEncoding, err = csvbatch.ParseEncoding(values.Get("output_encoding")); err != nil {
		return nil, bad("output_encoding", err)
	}
	day, ok := dayParam(c, values.Get("date"))
	if !ok {
		return nil, false
	}
	p.day = day
	if p.choice, err = batch.ParseChoice(values.Get(professionParam)); err != nil {
		return nil, bad(professionParam, err)
	}
	if p.choice.All || p.choice.Profession != zones.DefaultProfession {
		p.filename = strings.TrimSuffix(p.filename, ".csv") + "-" + p.choice.String() + ".csv"
	}
	if v := values.Get("no_header"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, bad("no_header", errors.New("true ou false attendu"))
		}
		p.opt.NoHeader = b
	}
	return p, true
}

// readMultipart reads the form the api-adresse clients send: its fields join
// the query's values, its one file in « data » is p's body and names the
// result. ok=false when a problem was written.
func (s *Server) readMultipart(c *gin.Context, p *batchParams, values url.Values) bool {
	if err := c.Request.ParseMultipartForm(multipartMemory); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeProblem(c, http.StatusRequestEntityTooLarge, ProblemTooLarge, tooLargeDetail(c, "fichier", tooBig.Limit))
			return false
		}
		var store *fs.PathError
		if errors.As(err, &store) {
			// The file's temporary copy could not be written: the server's fault.
			s.writeBodyNotKept(c, err)
			return false
		}
		// mime/multipart's own words are English (« multipart: NextPart: EOF »).
		writeProblem(c, http.StatusBadRequest, ProblemInvalidParameter, "formulaire multipart illisible : le corps ne suit pas le format multipart/form-data annoncé (délimiteur absent, corps tronqué ou mal formé)")
		return false
	}
	for k, v := range c.Request.MultipartForm.Value {
		values[k] = append(values[k], v...)
	}
	fh := c.Request.MultipartForm.File["data"]
	if len(fh) == 0 {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "fichier CSV absent : envoyez-le dans le champ « data » du formulaire", "data", "")
		return false
	}
	if len(fh) > 1 {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, fmt.Sprintf("%d fichiers dans le champ « data » ; un seul fichier par requête", len(fh)), "data", fh[1].Filename)
		return false
	}
	for name := range c.Request.MultipartForm.File {
		if name != "data" {
			writeProblemField(c, http.StatusBadRequest, ProblemUnknownParameter, "fichier inattendu dans le champ "+quote(name)+" ; le fichier CSV va dans le champ « data »", name, "")
			return false
		}
	}
	f, err := fh[0].Open()
	if err != nil {
		writeProblem(c, http.StatusBadRequest, ProblemInvalidParameter, "fichier CSV illisible : "+err.Error())
		return false
	}
	p.body = f
	if name := strings.TrimSuffix(filepath.Base(fh[0].Filename), filepath.Ext(fh[0].Filename)); name != "" && name != "." {
		p.filename = name + "-zonage.csv"
	}
	return true
}

// writeBodyNotKept answers a file the server could not keep aside while it is
// classified (its temporary folder full or missing): a 503, the server's fault,
// with the request's identifier under which the cause is logged.
func (s *Server) writeBodyNotKept(c *gin.Context, err error) {
	s.cfg.Logger.Error("fichier reçu non mis de côté", "request_id", requestIDOf(c), "err", err.Error())
	writeProblem(c, http.StatusServiceUnavailable, ProblemUnavailable, "le serveur ne peut pas garder le fichier le temps de le classer ; réessayez plus tard (identifiant "+requestIDOf(c)+")")
}

// readStatuses reads the statuses the rows kept must have (status=, as a list
// or repeated; none: every row) and names the result after them.
func (p *batchParams) readStatuses(statuses []string) error {
	if len(statuses) == 0 {
		return nil
	}
	keep := map[string]bool{}
	for _, v := range statuses {
		for _, st := range strings.Split(v, ",") {
			switch st = strings.TrimSpace(st); zones.Status(st) {
			case zones.StatusOK, zones.StatusAmbiguous, zones.StatusNotFound, zones.StatusError:
				keep[st] = true
			default:
				return fmt.Errorf("statut « %s » inconnu (ok, ambigu, introuvable ou erreur)", st)
			}
		}
	}
	p.statuses = keep
	suffix := "-a-verifier"
	if keep[string(zones.StatusOK)] {
		names := make([]string, 0, len(keep))
		for st := range keep {
			names = append(names, st)
		}
		sort.Strings(names)
		suffix = "-" + strings.Join(names, "-")
	}
	p.filename = strings.TrimSuffix(p.filename, ".csv") + suffix + ".csv"
	return nil
}

// fieldDetail is the detail of a problem with a parameter: the error, after the
// parameter's name unless the error already starts with it (a *zones.InputError
// on that field says « profession « x » invalide : … »).
func fieldDetail(field string, err error) string {
	var in *zones.InputError
	if errors.As(err, &in) && in.Field == field {
		return err.Error()
	}
	return field + " : " + err.Error()
}

// trackingWriter tells whether the answer has started, after which errors can no
// longer become a problem document.
type trackingWriter struct {
	w        gin.ResponseWriter
	started  bool
	writeErr error // the client went away or stopped reading
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.started = true
	n, err := t.w.Write(b)
	if err == nil && len(b) > 0 {
		t.w.Flush()
	}
	if err != nil && t.writeErr == nil {
		t.writeErr = err
	}
	return n, err
}

// openBatch reads the parameters and the CSV of a batch request; done closes the
// CSV and removes the form's files, whether the request was accepted or not.
func (s *Server) openBatch(c *gin.Context) (p *batchParams, done func(), ok bool) {
	done = func() { removeUploads(c.Request) }
	if !checkParams(c, batchParamNames...) {
		return nil, done, false
	}
	if p, ok = s.readBatchParams(c); !ok {
		return nil, done, false
	}
	if f, isFile := p.body.(io.Closer); isFile && p.body != c.Request.Body {
		done = func() {
			f.Close()
			removeUploads(c.Request)
		}
	}
	return p, done, true
}

func (s *Server) classifyCSV(c *gin.Context, apiAdresse bool) {
	p, done, ok := s.openBatch(c)
	defer done()
	if !ok {
		return
	}
	st := s.Current()
	if !st.professionsServed(c, p.choice) {
		return
	}
	classifier, err := batch.New(st.Resolver.For, p.choice)
	if err != nil {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, err.Error(), professionParam, p.choice.String())
		return
	}
	if p.body == c.Request.Body {
		// A raw body is received whole before the answer starts, as a multipart
		// form is by net/http (see package spool): a client that sends the whole
		// file before reading would otherwise wait forever, and net/http's HTTP/1
		// server throws away what is left of a body under 256 KB once the answer
		// starts. The classification's deadline covers the upload: a client
		// still sending when it passes gets the timeout problem, not a wait.
		if deadline, ok := c.Request.Context().Deadline(); ok {
			http.NewResponseController(c.Writer).SetReadDeadline(deadline)
		}
		received, err := spool.Receive(p.body, "", spool.MemoryLimit)
		if errors.Is(err, spool.ErrStore) {
			s.writeBodyNotKept(c, err)
			return
		}
		if err != nil {
			s.batchFailed(c, &trackingWriter{w: c.Writer}, fmt.Errorf("lecture du fichier : %w", err))
			return
		}
		defer received.Close()
		p.body = received
	}
	classifier.Options(&p.opt)
	cols := classifier.Columns()
	if apiAdresse {
		cols = append(append([]string(nil), apiAdresseColumns...), cols...)
	}
	// The metrics read the classifier's cells; Keep reads every added cell.
	precisionCell, statusCell := slices.Index(classifier.Columns(), "zonage_precision"), slices.Index(classifier.Columns(), zones.ColumnStatus)
	ann := csvbatch.FuncAnnotator{Cols: cols, Fn: func(r *csvbatch.Row) []string {
		res, err := classifier.Resolve(batch.Fields(r, p.day))
		values := classifier.Values(res, err, p.day)
		s.metrics.lookups.WithLabelValues(values[precisionCell], values[statusCell]).Inc()
		if !apiAdresse {
			return values
		}
		return append(apiAdresseValues(res, err, r), values...)
	}}
	if p.statuses != nil {
		p.opt.Keep = keepRows(p.statuses, p.choice, cols)
	}
	c.Header("X-Zonage-Dataset-Version", st.meta().Version)
	c.Header("X-Zonage-Profession", p.choice.String())
	c.Header("Cache-Control", "no-store")
	// The CSV headers are set once the input is read and before its first byte is
	// written: the charset is the output's (a Windows-1252 file comes back in
	// Windows-1252), and a refused file gets a problem, not an attachment.
	p.opt.Started = func(rep *csvbatch.Report) {
		charset := "utf-8"
		if rep.Output.Encoding == csvbatch.EncodingWindows1252 {
			charset = "windows-1252"
		}
		c.Header("Content-Type", "text/csv; charset="+charset)
		c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", p.filename))
	}
	tw := &trackingWriter{w: c.Writer}
	if _, err := csvbatch.Run(c.Request.Context(), p.body, tw, ann, p.opt); err != nil {
		s.batchFailed(c, tw, err)
	}
}

// keepRows is the filter of the rows whose status= is statuses; cols are the
// added columns. With all, the status is the kinés'; a row they find classified
// but that has no category for another profession (ambiguous, or not published
// for it) is still a row to check.
func keepRows(statuses map[string]bool, choice batch.Choice, cols []string) func(added []string) bool {
	status := slices.Index(cols, zones.ColumnStatus)
	var professionCells []int
	checking := statuses[string(zones.StatusAmbiguous)] || statuses[string(zones.StatusNotFound)]
	if choice.All && checking {
		for _, name := range batch.ProfessionColumns() {
			professionCells = append(professionCells, slices.Index(cols, name))
		}
	}
	return func(added []string) bool {
		if statuses[added[status]] {
			return true
		}
		if added[status] != string(zones.StatusOK) {
			return false
		}
		for _, i := range professionCells {
			if added[i] == "" {
				return true
			}
		}
		return false
	}
}

// batchFailed answers a run that failed: a stream cut short once its first
// byte is written, else a problem document in place of the file.
func (s *Server) batchFailed(c *gin.Context, tw *trackingWriter, err error) {
	var tooBig *http.MaxBytesError
	var colErr *csvbatch.ColumnError
	if !tw.started {
		// Refused before its first byte (a line too long in the header, say): a
		// problem document, not a file to save.
		c.Writer.Header().Del("Content-Disposition")
	}
	switch {
	case tw.started:
		s.abortStream(c, err, tw.writeErr != nil)
	case errors.As(err, &tooBig):
		writeProblem(c, http.StatusRequestEntityTooLarge, ProblemTooLarge, tooLargeDetail(c, "fichier", tooBig.Limit))
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		// err reads « context deadline exceeded » or « i/o timeout »: English, and
		// less useful than the delay that passed.
		writeProblem(c, http.StatusServiceUnavailable, ProblemTimeout, fmt.Sprintf("classement interrompu : délai dépassé avant la première ligne (%s au plus, envoi du fichier compris, --delai-classement)", delayInFrench(s.cfg.ClassifyTimeout)))
	case errors.As(err, &colErr) && colErr.Value != "":
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, err.Error(), columnParam(colErr.Role), colErr.Value)
	default:
		writeProblem(c, http.StatusBadRequest, ProblemInvalidParameter, err.Error())
	}
}

// columnParam is the parameter that names the column of role.
func columnParam(role csvbatch.Role) string {
	for param, r := range columnParams {
		if r == role {
			return param
		}
	}
	return "columns"
}

// professionsServed reports whether the served data have every profession of the
// choice, or writes the 404 problem the other endpoints give for a profession the
// data lack.
func (st *State) professionsServed(c *gin.Context, ch batch.Choice) bool {
	wanted := []zones.Profession{ch.Profession}
	if ch.All {
		wanted = zones.Professions()
	}
	var missing []string
	for _, p := range wanted {
		if !st.Resolver.Dataset.HasProfession(p) {
			missing = append(missing, p.Plural())
		}
	}
	if len(missing) == 0 {
		return true
	}
	detail := "les données servies (version " + st.meta().Version + ") ne contiennent pas le zonage des " + strings.Join(missing, ", ")
	if ch.All {
		detail += " ; « all » demande toutes les professions"
	}
	writeProblemField(c, http.StatusNotFound, ProblemProfessionAbsent, detail+" ; professions disponibles : "+strings.Join(st.availableSlugs(), ", "),
		professionParam, ch.String())
	return false
}

// abortStream ends a streamed answer that cannot be finished as a failure: the
// status line and the first rows are gone, so the connection is cut without the
// final chunk, and curl, browsers and HTTP libraries report an error instead of
// handing over a shorter file as if it were whole.
func (s *Server) abortStream(c *gin.Context, err error, clientGone bool) {
	var tooBig *http.MaxBytesError
	reason := "lecture"
	switch {
	case clientGone || errors.Is(err, context.Canceled):
		reason = "client"
	case errors.As(err, &tooBig):
		reason = "taille"
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		reason = "delai"
	}
	s.metrics.aborted.WithLabelValues(routeLabel(c), reason).Inc()
	s.cfg.Logger.Warn("réponse en flux interrompue, connexion coupée", "request_id", requestIDOf(c),
		"route", routeLabel(c), "reason", reason, "err", err.Error())
	panic(http.ErrAbortHandler)
}

func apiAdresseValues(res zones.Resolution, err error, r *csvbatch.Row) []string {
	v := make([]string, len(apiAdresseColumns))
	status := "not-found"
	switch {
	case err != nil:
		status = "error"
	case res.Status == zones.StatusOK:
		status = "ok"
	}
	v[17] = status
	if err != nil || res.Commune == nil {
		return v
	}
	m := res.Match
	lat, lon := m.Lat, m.Lon
	if lat == 0 && lon == 0 && res.Match.Precision == zones.PrecisionCoordinates {
		// The row's own coordinates, which resolved without error.
		lat, _ = zones.ParseCoordinate("latitude", r.Value(csvbatch.RoleLat))
		lon, _ = zones.ParseCoordinate("longitude", r.Value(csvbatch.RoleLon))
	}
	if lat != 0 || lon != 0 {
		v[0], v[1] = strconv.FormatFloat(lat, 'f', 6, 64), strconv.FormatFloat(lon, 'f', 6, 64)
	}
	v[2] = m.Label
	if v[2] == "" {
		v[2] = res.Commune.Name
	}
	score := m.Score
	if m.Method != zones.MethodAddress {
		score = 1
	}
	v[3] = strconv.FormatFloat(score, 'f', 2, 64)
	v[5] = string(m.Level)
	if v[5] == "" {
		v[5] = string(zones.LevelMunicipality)
	}
	v[8] = res.Commune.Name
	v[10] = resultPostcode(m.Label, res.Commune.Postcodes)
	v[11] = res.Commune.Name
	v[12] = res.Commune.Departement + ", " + res.Commune.Region.Name
	v[13] = res.Commune.Code
	if res.Former != nil {
		v[14], v[15] = res.Former.Code, res.Former.Name
	}
	return v
}

// resultPostcode is the postcode of an api-adresse answer: the one its label
// names when it is the commune's ("20000 Ajaccio", "5 Rue Ordener 75018 Paris"),
// else the commune's only one, else none — a commune with several postcodes
// and a label naming none of them cannot say which the row is in.
func resultPostcode(label string, postcodes []string) string {
	words := strings.Fields(label)
	for i := len(words) - 1; i >= 0; i-- {
		if len(words[i]) == 5 && slices.Contains(postcodes, words[i]) {
			return words[i]
		}
	}
	if len(postcodes) == 1 {
		return postcodes[0]
	}
	return ""
}

// jsonQuery is one query of the JSON variant of classify.
type jsonQuery struct {
	Q        string   `json:"q"`
	Street   string   `json:"street"`
	Postcode string   `json:"postcode"`
	City     string   `json:"city"`
	Citycode string   `json:"citycode"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
}

// delayInFrench writes a configured delay as the options take it: « 10 min »,
// « 2 s ».
func delayInFrench(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return strings.Replace(fmt.Sprintf("%.1f s", d.Seconds()), ".", ",", 1)
}

// jsonQueryFields are the fields of a query of the JSON variant, as its errors
// list them.
const jsonQueryFields = "q, street, postcode, city, citycode, lat, lon"

// jsonErrorDetail says in French what encoding/json found wrong: its own
// messages are English and name Go types (« cannot unmarshal string into Go
// struct field jsonQuery.lat of type float64 »).
func jsonErrorDetail(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		want := "chaîne de caractères"
		switch typeErr.Type.Kind() {
		case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int64:
			want = "nombre"
		case reflect.Struct, reflect.Map:
			want = "objet {…}"
		}
		got := map[string]string{"string": "chaîne de caractères", "number": "nombre", "bool": "booléen",
			"array": "tableau", "object": "objet"}[typeErr.Value]
		if got == "" {
			got = typeErr.Value
		}
		if typeErr.Field == "" {
			return fmt.Sprintf("type attendu %s, reçu %s", want, got)
		}
		return fmt.Sprintf("champ « %s » : type attendu %s, reçu %s", typeErr.Field, want, got)
	case errors.As(err, &syntaxErr):
		if ch, ok := strings.CutPrefix(syntaxErr.Error(), "invalid character '"); ok {
			if end := strings.Index(ch, "'"); end > 0 {
				return fmt.Sprintf("caractère « %s » inattendu (octet %d)", ch[:end], syntaxErr.Offset)
			}
		}
		return fmt.Sprintf("JSON mal formé (octet %d)", syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "le corps s'arrête avant la fin du JSON"
	}
	if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		return "champ inconnu « " + strings.TrimSuffix(name, `"`) + " »"
	}
	return err.Error()
}

// maxJSONQueryBytes caps one query of the JSON variant: an address is 1,000
// characters at most, so a larger item is a mistake or an attack, refused before
// it is held in memory.
const maxJSONQueryBytes = 64 << 10

// errQueryTooLarge is the error of a JSON query over maxJSONQueryBytes.
var errQueryTooLarge = fmt.Errorf("requête JSON de plus de %d octets", maxJSONQueryBytes)

// queryLimitReader refuses to read further while the decoder holds more than
// maxJSONQueryBytes of one unfinished value: the decoder only reads when the value
// it decodes is incomplete, so what it holds unread is that value.
type queryLimitReader struct {
	r    io.Reader
	dec  *json.Decoder
	read int64
}

func (l *queryLimitReader) Read(p []byte) (int, error) {
	if l.read-l.dec.InputOffset() > maxJSONQueryBytes {
		return 0, errQueryTooLarge
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// classifyJSON answers a JSON array of queries. The array is decoded one query at
// a time and each is resolved as it comes: memory holds one query and the answers,
// and the 10,000th query past the cap is refused without reading the rest.
func (s *Server) classifyJSON(c *gin.Context) {
	if !checkParams(c, "date", "profession") {
		return
	}
	day, ok := dayParam(c, c.Query("date"))
	if !ok {
		return
	}
	st := s.Current()
	raw := c.Query(professionParam)
	choice, err := batch.ParseChoice(raw)
	if err == nil && choice.All {
		err = errors.New("« all » ajoute une colonne par profession au CSV ; en JSON, chaque réponse est pour une profession : envoyez une requête par profession")
	}
	if err != nil {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, fieldDetail(professionParam, err), professionParam, raw)
		return
	}
	resolver, ok := st.professionResolverOr404(c, choice.Profession, raw)
	if !ok {
		return
	}
	lr := &queryLimitReader{r: c.Request.Body}
	dec := json.NewDecoder(lr)
	lr.dec = dec
	dec.DisallowUnknownFields()
	bad := func(err error, where string) {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeProblem(c, http.StatusRequestEntityTooLarge, ProblemTooLarge, tooLargeDetail(c, "corps", tooBig.Limit))
		case errors.Is(err, errQueryTooLarge):
			writeProblem(c, http.StatusRequestEntityTooLarge, ProblemTooLarge, where+" : "+err.Error()+" ; une requête tient en quelques centaines d'octets")
		default:
			writeProblem(c, http.StatusBadRequest, ProblemInvalidParameter, "JSON illisible "+where+" : "+jsonErrorDetail(err)+" ; un tableau de requêtes {"+jsonQueryFields+"} est attendu")
		}
	}
	tok, err := dec.Token()
	if err != nil {
		bad(err, "au début du corps")
		return
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		writeProblem(c, http.StatusBadRequest, ProblemInvalidParameter, "JSON illisible : un tableau de requêtes [{…}, …] est attendu, pas "+quote(fmt.Sprint(tok)))
		return
	}
	var out []zones.Resolution
	for i := 0; dec.More(); i++ {
		if i == maxJSONQueries {
			writeProblem(c, http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("plus de %d requêtes ; %d au plus en JSON, envoyez un CSV au-delà", maxJSONQueries, maxJSONQueries))
			return
		}
		var jq jsonQuery
		if err := dec.Decode(&jq); err != nil {
			bad(err, fmt.Sprintf("à la requête %d", i))
			return
		}
		out = append(out, s.resolveJSONQuery(resolver, i, jq, day))
	}
	if _, err := dec.Token(); err != nil {
		bad(err, "à la fin du tableau")
		return
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			bad(err, "après le tableau")
			return
		}
		writeProblem(c, http.StatusBadRequest, ProblemInvalidParameter, "JSON illisible : "+quote(fmt.Sprint(tok))+" après la fin du tableau ; le corps doit être un seul tableau")
		return
	}
	if out == nil {
		out = []zones.Resolution{}
	}
	c.Header("X-Zonage-Dataset-Version", st.meta().Version)
	c.JSON(http.StatusOK, gin.H{"dataset_version": st.meta().Version, "results": out})
}

// resolveJSONQuery answers query i of the JSON variant.
func (s *Server) resolveJSONQuery(resolver *zones.Resolver, i int, jq jsonQuery, day zones.Day) zones.Resolution {
	q := zones.Query{Text: jq.Q, Street: jq.Street, Postcode: jq.Postcode, City: jq.City, Citycode: jq.Citycode, Day: day}
	if day.IsZero() {
		day = resolver.Today()
	}
	// A refused query still names the data it was checked against.
	refused := func(message string) zones.Resolution {
		return zones.Resolution{Profession: resolver.Profession(), Status: zones.StatusError, Date: day, Message: message,
			Provenance: resolver.Provenance()}
	}
	if (jq.Lat == nil) != (jq.Lon == nil) {
		return refused(fmt.Sprintf("requête %d : lat et lon vont ensemble", i))
	}
	if jq.Lat != nil {
		q.Lat, q.Lon, q.HasPoint = *jq.Lat, *jq.Lon, true
	}
	res, err := resolver.Resolve(q)
	if err != nil {
		res = refused(fmt.Sprintf("requête %d : %v", i, err))
	}
	s.countLookup(res)
	return res
}

// The preview reads this much of a file, and shows this many rows.
const (
	previewBytes = 64 << 10
	previewRows  = 5
)

// roleNames are the roles as the preview names them: the parameter that sets
// each, "address" standing for "columns".
var roleNames = map[csvbatch.Role]string{csvbatch.RoleAddress: "address", csvbatch.RoleStreet: "street",
	csvbatch.RolePostcode: "postcode", csvbatch.RoleCity: "city", csvbatch.RoleCitycode: "citycode",
	csvbatch.RoleLat: "lat", csvbatch.RoleLon: "lon"}

// classifyPreview is the answer of POST /api/v1/classify/preview.
type classifyPreview struct {
	Delimiter string         `json:"delimiter"`
	Encoding  string         `json:"encoding"`
	Header    []string       `json:"header"`
	Roles     map[string]int `json:"roles"` // 1-based column per role
	Rows      [][]string     `json:"rows"`
	Notes     []string       `json:"notes"`
	Problem   string         `json:"problem,omitempty"`
}

// handleClassifyPreview answers POST /api/v1/classify/preview: the start of a CSV,
// with the parameters of a classification, read as the classification would read
// it (separator, encoding, header, the column of each role, the first rows), so
// that the columns can be checked and chosen before the whole file is sent. When
// the columns cannot be classified as chosen, "problem" says why and the rest is
// filled all the same.
func (s *Server) handleClassifyPreview(c *gin.Context) {
	p, done, ok := s.openBatch(c)
	defer done()
	if !ok {
		return
	}
	sample, err := io.ReadAll(io.LimitReader(p.body, previewBytes+1))
	if err != nil {
		writeProblem(c, http.StatusBadRequest, ProblemInvalidParameter, "lecture du fichier : "+err.Error())
		return
	}
	atEOF := len(sample) <= previewBytes
	if !atEOF {
		sample = sample[:previewBytes]
	}
	ins, err := csvbatch.Inspect(sample, atEOF, p.opt, previewRows)
	if err != nil {
		writeProblem(c, http.StatusBadRequest, ProblemInvalidParameter, err.Error())
		return
	}
	out := classifyPreview{Delimiter: string(ins.Input.Delimiter), Encoding: ins.Input.Encoding, Header: ins.Header,
		Roles: map[string]int{}, Rows: ins.Rows, Notes: ins.Notes}
	if ins.Input.Delimiter == '\t' {
		out.Delimiter = "tab"
	}
	for role, i := range ins.Columns {
		out.Roles[roleNames[role]] = i + 1
	}
	if out.Rows == nil {
		out.Rows = [][]string{}
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	if ins.Problem != nil {
		out.Problem = ins.Problem.Error()
	}
	c.JSON(http.StatusOK, out)
}
