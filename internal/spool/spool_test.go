package spool

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// Every size reads back the same bytes; only those over the memory limit go
// to a file, which Close removes.
func TestReceiveKeepsEveryByte(t *testing.T) {
	const limit = 1000
	for _, size := range []int{0, 1, limit - 1, limit, limit + 1, 3*limit + 7, 1 << 20} {
		dir := t.TempDir()
		in := make([]byte, size)
		for i := range in {
			in[i] = byte(i*7 + i/251)
		}
		b, err := Receive(bytes.NewReader(in), dir, limit)
		if err != nil {
			t.Fatalf("%d octets : %v", size, err)
		}
		if got, want := b.InFile(), size > limit; got != want {
			t.Errorf("%d octets : dans un fichier %v, attendu %v", size, got, want)
		}
		if files := entries(t, dir); (len(files) == 1) != (size > limit) {
			t.Errorf("%d octets : fichiers temporaires %v", size, files)
		}
		out, err := io.ReadAll(b)
		if err != nil {
			t.Fatalf("%d octets : relecture : %v", size, err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("%d octets : %d octets relus, différents", size, len(out))
		}
		if err := b.Close(); err != nil {
			t.Fatalf("%d octets : Close : %v", size, err)
		}
		if files := entries(t, dir); len(files) != 0 {
			t.Errorf("%d octets : fichiers restés après Close : %v", size, files)
		}
	}
}

// A body over the server's limit fails with net/http's own error, which the
// handler turns into a 413, and leaves no file behind.
func TestReceiveReturnsTheBodysErrorAndRemovesTheFile(t *testing.T) {
	dir := t.TempDir()
	limited := http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(bytes.NewReader(make([]byte, 5000))), 4000)
	_, err := Receive(limited, dir, 1000)
	var tooBig *http.MaxBytesError
	if !errors.As(err, &tooBig) || tooBig.Limit != 4000 {
		t.Fatalf("erreur %v, attendu *http.MaxBytesError de limite 4000", err)
	}
	if files := entries(t, dir); len(files) != 0 {
		t.Errorf("fichiers restés : %v", files)
	}
	// Within the memory part, the error comes back as it is too.
	cut := errors.New("connexion coupée")
	if _, err := Receive(io.MultiReader(bytes.NewReader([]byte("a;b\n")), errReader{cut}), dir, 1000); !errors.Is(err, cut) {
		t.Fatalf("erreur %v, attendu %v", err, cut)
	}
}

// A folder where no file can be made is named in the error.
func TestReceiveNamesAFileSystemFailure(t *testing.T) {
	_, err := Receive(bytes.NewReader(make([]byte, 2000)), "/nonexistent/zonage", 1000)
	if !errors.Is(err, ErrStore) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("erreur %v, attendu ErrStore et le dossier absent", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}
