package bangeocoder

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// MaxCSVSize is the largest file the service accepts on /search/csv/ ("the
// API only allows CSV files up to 50 MB", banR README,
// https://github.com/joelgombin/banR). SearchCSV holds the file in memory so
// that a retry can send it again.
const MaxCSVSize = 50 << 20

// Columns of the CSV that SearchBatch sends. The answer repeats them, so
// rowColumn maps each answered row back to its query whatever the order.
const (
	rowColumn      = "zonage_row"
	queryColumn    = "q"
	postcodeColumn = "postcode"
	citycodeColumn = "citycode"
)

// SearchCSV sends a CSV file to POST /search/csv/ and returns the answered CSV
// as it streams in: the input rows, in order, with the service's columns
// appended (latitude, longitude, result_label, result_score,
// result_score_next, result_type, result_id, result_housenumber, result_name,
// result_street, result_postcode, result_city, result_context,
// result_citycode, result_oldcitycode, result_oldcity, result_district,
// result_status; the Géoplateforme puts longitude first and adds
// result_banId). columns names the input columns joined into the query, in
// order (all columns when empty); postcodeCol and citycodeCol, when not "",
// name the columns that restrict each row's search. The caller closes the
// returned body.
func (c *Client) SearchCSV(ctx context.Context, csvData io.Reader, columns []string, postcodeCol, citycodeCol string) (io.ReadCloser, error) {
	c.init()
	data, err := io.ReadAll(io.LimitReader(csvData, MaxCSVSize+1))
	if err != nil {
		return nil, fmt.Errorf("géocodeur BAN : lecture du CSV à envoyer : %w", err)
	}
	if len(data) > MaxCSVSize {
		return nil, fmt.Errorf("géocodeur BAN : CSV de plus de %d Mo, refusé par le service : découpez-le", MaxCSVSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("géocodeur BAN : CSV vide, rien à géocoder")
	}
	var fields []formField
	if postcodeCol != "" {
		fields = append(fields, formField{"postcode", postcodeCol})
	}
	if citycodeCol != "" {
		fields = append(fields, formField{"citycode", citycodeCol})
	}
	resp, err := c.postCSV(ctx, data, columns, fields)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

type formField struct{ name, value string }

// postCSV sends data as the "data" file of a multipart form, with one
// "columns" field per query column and the other fields as given: the
// contract of the addok-csv plugin (https://github.com/addok/addok-csv) that
// both services keep.
func (c *Client) postCSV(ctx context.Context, data []byte, columns []string, fields []formField) (*http.Response, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, col := range columns {
		if err := mw.WriteField("columns", col); err != nil {
			return nil, err
		}
	}
	for _, f := range fields {
		if err := mw.WriteField(f.name, f.value); err != nil {
			return nil, err
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="data"; filename="adresses.csv"`)
	// The charset in the part's type tells addok the encoding, which it would
	// otherwise take as utf-8-sig.
	h.Set("Content-Type", "text/csv; charset=utf-8")
	part, err := mw.CreatePart(h)
	if err != nil {
		return nil, err
	}
	if _, err := part.Write(data); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return c.do(ctx, http.MethodPost, c.BaseURL+"/search/csv/", body.Bytes(), mw.FormDataContentType())
}

// SearchBatch geocodes qs through /search/csv/ and returns one Result per
// query, in the order of qs. Identical queries (after normalisation) and
// cached ones cost no row; queries with no text come back not found without
// being sent. The rows go in requests of at most BatchSize rows, one after
// the other through the shared rate limiter.
//
// A query the service refuses alone with 413 (too long for it) comes back not
// found; a larger request refused with 413 is split in two and sent again.
// On error no result is returned, but the chunks answered so far are cached,
// so running the batch again resumes where it stopped.
func (c *Client) SearchBatch(ctx context.Context, qs []Query) ([]Result, error) {
	c.init()
	results := make([]Result, len(qs))

	type pending struct {
		q       Query
		key     string
		indexes []int
	}
	var unique []*pending
	byKey := make(map[string]*pending)
	for i, q := range qs {
		q = Query{Text: collapse(q.Text, " "), Postcode: collapse(q.Postcode, ""), Citycode: collapse(q.Citycode, "")}
		if q.Text == "" {
			continue
		}
		key := cacheKey("csv", q, 1)
		if r, ok := c.Cache.Get(key); ok {
			results[i] = r
			continue
		}
		if p, ok := byKey[key]; ok {
			p.indexes = append(p.indexes, i)
			continue
		}
		p := &pending{q: q, key: key, indexes: []int{i}}
		byKey[key] = p
		unique = append(unique, p)
	}

	// Rows are grouped by the filters they carry, so that a request only
	// names a postcode or citycode column when every row fills it: how the
	// service treats an empty filter cell is not documented.
	var groups [4][]*pending
	for _, p := range unique {
		g := 0
		if p.q.Postcode != "" {
			g |= 1
		}
		if p.q.Citycode != "" {
			g |= 2
		}
		groups[g] = append(groups[g], p)
	}
	for _, group := range groups {
		for start := 0; start < len(group); start += c.BatchSize {
			chunk := group[start:min(start+c.BatchSize, len(group))]
			queries := make([]Query, len(chunk))
			for k, p := range chunk {
				queries[k] = p.q
			}
			answers, err := c.searchChunk(ctx, queries)
			if err != nil {
				return nil, err
			}
			for k, p := range chunk {
				c.Cache.Put(p.key, answers[k])
				for _, i := range p.indexes {
					results[i] = answers[k]
				}
			}
		}
	}
	return results, nil
}

// collapse trims s and replaces its runs of blanks (newlines included, which
// would otherwise split a CSV row for a lenient reader) with sep.
func collapse(s, sep string) string { return strings.Join(strings.Fields(s), sep) }

// searchChunk sends one CSV of queries that all carry the same filters.
func (c *Client) searchChunk(ctx context.Context, qs []Query) ([]Result, error) {
	withPostcode, withCitycode := qs[0].Postcode != "", qs[0].Citycode != ""
	data, err := batchCSV(qs, withPostcode, withCitycode)
	if err != nil {
		return nil, err
	}
	// The delimiter is given because addok otherwise guesses it from the
	// first lines, and a guess can go wrong on a few short rows.
	fields := []formField{{"delimiter", ","}}
	if withPostcode {
		fields = append(fields, formField{"postcode", postcodeColumn})
	}
	if withCitycode {
		fields = append(fields, formField{"citycode", citycodeColumn})
	}
	resp, err := c.postCSV(ctx, data, []string{queryColumn}, fields)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusRequestEntityTooLarge {
			if len(qs) == 1 {
				return []Result{{}}, nil
			}
			half := len(qs) / 2
			first, err := c.searchChunk(ctx, qs[:half])
			if err != nil {
				return nil, err
			}
			second, err := c.searchChunk(ctx, qs[half:])
			if err != nil {
				return nil, err
			}
			return append(first, second...), nil
		}
		return nil, err
	}
	defer resp.Body.Close()
	answers, err := parseBatchAnswer(resp.Body, len(qs))
	if err != nil {
		return nil, &Error{Method: http.MethodPost, URL: c.BaseURL + "/search/csv/", Status: resp.StatusCode, Detail: "CSV de réponse inexploitable", Err: err}
	}
	return answers, nil
}

// batchCSV writes the request file: a row number, the query and the filters.
func batchCSV(qs []Query, withPostcode, withCitycode bool) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{rowColumn, queryColumn}
	if withPostcode {
		header = append(header, postcodeColumn)
	}
	if withCitycode {
		header = append(header, citycodeColumn)
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	for i, q := range qs {
		rec := []string{strconv.Itoa(i), q.Text}
		if withPostcode {
			rec = append(rec, q.Postcode)
		}
		if withCitycode {
			rec = append(rec, q.Citycode)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// parseBatchAnswer reads the answered CSV of a batch of n rows. Columns are
// found by name, since the two services order them differently.
func parseBatchAnswer(r io.Reader, n int) ([]Result, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("en-tête illisible : %w", err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{rowColumn, "latitude", "longitude"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("colonne « %s » absente de l'en-tête (%s)", need, strings.Join(header, ","))
		}
	}
	_, hasStatus := col["result_status"]

	results := make([]Result, n)
	seen := make([]bool, n)
	answered := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row, err := strconv.Atoi(get(rowColumn))
		if err != nil || row < 0 || row >= n || seen[row] {
			return nil, fmt.Errorf("ligne %d : numéro de ligne « %s » inattendu", line, get(rowColumn))
		}
		seen[row] = true
		answered++
		found := get("latitude") != ""
		if hasStatus {
			switch status := get("result_status"); status {
			case "ok":
				found = true
			case "not-found", "skipped":
				found = false
			default:
				return nil, fmt.Errorf("ligne %d : le géocodeur signale « %s » pour cette adresse", line, status)
			}
		}
		if !found {
			continue
		}
		res, err := csvResult(get)
		if err != nil {
			return nil, fmt.Errorf("ligne %d : %w", line, err)
		}
		results[row] = res
	}
	if answered != n {
		return nil, fmt.Errorf("réponse incomplète : %d lignes reçues pour %d envoyées", answered, n)
	}
	return results, nil
}

func csvResult(get func(string) string) (Result, error) {
	num := func(name string) (float64, error) {
		v := get(name)
		if v == "" {
			return 0, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("%s « %s » n'est pas un nombre", name, v)
		}
		return f, nil
	}
	r := Result{
		Found:       true,
		Label:       get("result_label"),
		Type:        ResultType(get("result_type")),
		ID:          get("result_id"),
		HouseNumber: get("result_housenumber"),
		Street:      get("result_street"),
		Name:        get("result_name"),
		Postcode:    get("result_postcode"),
		City:        get("result_city"),
		Citycode:    get("result_citycode"),
		District:    get("result_district"),
		Context:     get("result_context"),
		OldCitycode: get("result_oldcitycode"),
		OldCity:     get("result_oldcity"),
	}
	if get("latitude") == "" || get("longitude") == "" {
		return Result{}, errors.New("résultat sans coordonnées")
	}
	var err error
	if r.Lat, err = num("latitude"); err != nil {
		return Result{}, err
	}
	if r.Lon, err = num("longitude"); err != nil {
		return Result{}, err
	}
	if r.Score, err = num("result_score"); err != nil {
		return Result{}, err
	}
	if r.ScoreNext, err = num("result_score_next"); err != nil {
		return Result{}, err
	}
	return r, nil
}
