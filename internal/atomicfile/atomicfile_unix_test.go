//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Write gives files the mode a shell redirection would: 0666 less the umask for a
// new file, the mode of the file it replaces otherwise; it writes through symbolic
// links, dangling ones included.
func TestWriteModeAndLinks(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	write := func(path string) {
		t.Helper()
		if err := Write(path, func(f *os.File) error { _, err := f.WriteString("nouveau"); return err }); err != nil {
			t.Fatal(err)
		}
	}
	lmode := func(path string) os.FileMode {
		t.Helper()
		st, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode()
	}

	fresh := filepath.Join(dir, "nouveau.csv")
	write(fresh)
	if m := lmode(fresh).Perm(); m != 0o640 {
		t.Errorf("new file mode %o, want 0640 (0666 less the umask 027)", m)
	}
	existing := filepath.Join(dir, "existant.csv")
	os.WriteFile(existing, []byte("ancien"), 0o600)
	os.Chmod(existing, 0o604)
	write(existing)
	if m := lmode(existing).Perm(); m != 0o604 {
		t.Errorf("existing file mode %o, want it kept (0604)", m)
	}
	target := filepath.Join(dir, "cible.csv")
	os.WriteFile(target, []byte("ancien"), 0o644)
	link := filepath.Join(dir, "lien.csv")
	os.Symlink("cible.csv", link)
	write(link)
	if lmode(link)&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced by a file")
	}
	if b, _ := os.ReadFile(target); string(b) != "nouveau" {
		t.Fatalf("target holds %q", b)
	}
	dangling := filepath.Join(dir, "lien-absent.csv")
	os.Symlink(filepath.Join("sous", "absent.csv"), dangling)
	write(dangling)
	if b, _ := os.ReadFile(filepath.Join(dir, "sous", "absent.csv")); lmode(dangling)&os.ModeSymlink == 0 || string(b) != "nouveau" {
		t.Fatalf("dangling link: target holds %q", b)
	}
	if err := Write(os.DevNull, func(f *os.File) error { _, err := f.WriteString("x"); return err }); err != nil {
		t.Fatalf("writing to %s: %v", os.DevNull, err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*", ".*.part")); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*.part")); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
}
