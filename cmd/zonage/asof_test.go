package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The zonage in force on a day, asked of lookup and classify: before the arrêté the
// data comes from, the answer says it is outside the data (Strasbourg's arrêté date is
// not known, so it is answered); an invalid date is an error naming the option.
func TestAsOfDateCommands(t *testing.T) {
	out, _, code := run("lookup", "--commune", "31555", "--date", "2025-01-15", "--snapshot", testSnapshot)
	if code != 0 || !strings.HasPrefix(out, "Zonage en vigueur le 15/01/2025\n") || !strings.Contains(out, "non prioritaire") {
		t.Errorf("lookup --date 2025-01-15: %d\n%s", code, out)
	}
	out, _, code = run("lookup", "--commune", "31555", "--date", "2024-06-01", "--json", "--snapshot", testSnapshot)
	var r struct {
		Status      string
		Date        string
		OutsideData bool `json:"outside_data"`
		Message     string
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 1 || r.Status != "introuvable" || !r.OutsideData || r.Date != "2024-06-01" ||
		!strings.Contains(r.Message, "hors des données") {
		t.Errorf("lookup before the arrêté: %d %+v %v", code, r, err)
	}
	_, errOut, code := run("lookup", "--commune", "31555", "--date", "2025-02-30", "--snapshot", testSnapshot)
	if code != 2 || !strings.Contains(errOut, "--date") || !strings.Contains(errOut, "date « 2025-02-30 » invalide") {
		t.Errorf("lookup --date 2025-02-30: %d %s", code, errOut)
	}

	in := writeTemp(t, "code_insee;nom\n31555;Toulouse\n67482;Strasbourg\n")
	out, _, code = run("classify", in, "--date", "2024-06-01", "--snapshot", testSnapshot)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || len(lines) != 3 || !strings.Contains(lines[1], ";introuvable;") || !strings.Contains(lines[1], "hors des données") ||
		!strings.Contains(lines[2], ";ok;") {
		t.Errorf("classify --date 2024-06-01: %d\n%s", code, out)
	}
	_, errOut, code = run("classify", in, "--date", "29/10/2024", "--snapshot", testSnapshot)
	if code != 2 || !strings.Contains(errOut, "--date") {
		t.Errorf("classify --date 29/10/2024: %d %s", code, errOut)
	}
}

// POST /api/v1/classify takes date too, as CSV and as JSON.
func TestAsOfDateClassifyAPI(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	resp, body := postCSV(t, base, "/api/v1/classify?date=2024-06-01", "code_insee;nom\n31555;Toulouse\n", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), ";introuvable;") || !strings.Contains(string(body), "hors des données") {
		t.Errorf("CSV before the arrêté: %d\n%s", resp.StatusCode, body)
	}
	resp, body = postCSV(t, base, "/api/v1/classify", "code_insee;nom\n31555;Toulouse\n", map[string][]string{"date": {"2025-01-15"}})
	if resp.StatusCode != 200 || !strings.Contains(string(body), ";non_prioritaire;") {
		t.Errorf("CSV, date as a form field: %d\n%s", resp.StatusCode, body)
	}
	resp, body = postCSV(t, base, "/api/v1/classify?date=2025-13-01", "code_insee\n31555\n", nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"field":"date"`) {
		t.Errorf("CSV, invalid date: %d\n%s", resp.StatusCode, body)
	}
	resp, body, err := post(t, base+"/api/v1/classify?date=2024-06-01", "application/json", strings.NewReader(`[{"citycode":"31555"},{"lat":48.5734,"lon":7.7521}]`))
	var got struct {
		Results []struct {
			Status      string
			Date        string
			OutsideData bool `json:"outside_data"`
		}
	}
	if err != nil || resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil || len(got.Results) != 2 ||
		!got.Results[0].OutsideData || got.Results[0].Date != "2024-06-01" || got.Results[1].Status != "ok" {
		t.Errorf("JSON before the arrêté: %v %v\n%s", err, resp, body)
	}
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lieux.csv")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
