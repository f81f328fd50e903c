package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "out.csv")
	write := func(content string, err error) error {
		return Write(path, func(f *os.File) error {
			if _, werr := f.WriteString(content); werr != nil {
				return werr
			}
			return err
		})
	}
	if err := write("premier", nil); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("source interrompue")
	if err := write("moitié", boom); !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want fill's own error", err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "premier" {
		t.Fatalf("after a failed write the file holds %q (%v), want the previous content", b, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the file: no temporary file left", len(entries))
	}
	if err := WriteFile(path, []byte("second")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "second" {
		t.Errorf("WriteFile left %q", b)
	}
	if err := Write(filepath.Join(path, "impossible"), func(*os.File) error { return nil }); err == nil {
		t.Error("a path under a file was accepted")
	}
}
