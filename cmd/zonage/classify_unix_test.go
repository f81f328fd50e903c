//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl-C during classify -o: the real binary stops, exits 130, and leaves neither
// its temporary file nor a partial result. The input is a pipe kept open, so the
// run is blocked reading when the signal comes: while sniffing the first bytes, or
// with rows already written to the temporary file.
func TestClassifyInterruptedLeavesNoFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rows    int
		written bool // wait for rows in the temporary file
	}{{"before the first row", 1000, false}, {"mid-file", 20000, true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			outPath := filepath.Join(dir, "out.csv")
			cmd := exec.Command(os.Args[0], "classify", "-", "-o", outPath, "--snapshot", testSnapshot)
			cmd.Env = append(os.Environ(), "ZONAGE_TEST_RUN_MAIN=1")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			go stdin.Write([]byte("code_insee\n" + strings.Repeat("75106\n", tc.rows)))
			waitFor(t, "the temporary file", func() bool {
				m, _ := filepath.Glob(filepath.Join(dir, ".out.csv.*.part"))
				if len(m) != 1 {
					return false
				}
				st, err := os.Stat(m[0])
				return err == nil && (!tc.written || st.Size() > 0)
			})
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err = <-exited:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatalf("still running after Ctrl-C; stderr: %s", stderr.String())
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Fatalf("exit %v, want %d; stderr: %s", err, exitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), "classement interrompu") || !strings.Contains(stderr.String(), "aucun fichier écrit") {
				t.Errorf("stderr: %s", stderr.String())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("files left behind: %v", entries)
			}
		})
	}
}

// waitFor polls until cond holds; the bound only keeps a broken run from hanging
// the test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
	}
}

// -o makes files as a shell redirection would: a new file gets the mode the umask
// leaves, an existing one keeps its mode, a symbolic link is written through.
func TestClassifyOutputFileModeAndLinks(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("code_insee\n75106\n"), 0o644)
	classify := func(out string) []byte {
		t.Helper()
		if _, errOut, code := run("classify", in, "-o", out, "--snapshot", testSnapshot); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		b, err := os.ReadFile(out)
		if err != nil || !bytes.Contains(b, []byte("75106,75106,Paris 6e")) {
			t.Fatalf("result %q, %v", b, err)
		}
		return b
	}
	mode := func(path string) os.FileMode {
		t.Helper()
		st, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode()
	}

	fresh := filepath.Join(dir, "nouveau.csv")
	classify(fresh)
	if m := mode(fresh).Perm(); m != 0o640 {
		t.Errorf("new file mode %o, want 0640 (0666 less the umask 027)", m)
	}

	existing := filepath.Join(dir, "existant.csv")
	os.WriteFile(existing, []byte("ancien"), 0o604)
	os.Chmod(existing, 0o604)
	classify(existing)
	if m := mode(existing).Perm(); m != 0o604 {
		t.Errorf("existing file mode %o, want it kept (0604)", m)
	}

	os.Mkdir(filepath.Join(dir, "partage"), 0o755)
	target := filepath.Join(dir, "partage", "resultat.csv")
	os.WriteFile(target, []byte("ancien"), 0o644)
	link := filepath.Join(dir, "lien.csv")
	os.Symlink(filepath.Join("partage", "resultat.csv"), link)
	classify(link)
	if mode(link)&os.ModeSymlink == 0 {
		t.Fatal("the symbolic link was replaced by a file")
	}
	if b, _ := os.ReadFile(target); !bytes.Contains(b, []byte("Paris 6e")) {
		t.Fatalf("the link's target was not written: %q", b)
	}

	dangling := filepath.Join(dir, "lien-vers-absent.csv")
	os.Symlink("absent.csv", dangling)
	classify(dangling)
	if mode(dangling)&os.ModeSymlink == 0 {
		t.Fatal("the dangling link was replaced by a file")
	}
	if _, err := os.Stat(filepath.Join(dir, "absent.csv")); err != nil {
		t.Fatalf("the dangling link's target was not created: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*", ".*.part")); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*.part")); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
}
