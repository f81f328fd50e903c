// Package atomicfile writes a file so that readers see either the old content or
// the whole new one, never a part: the snapshot, the downloaded sources, their lock
// file, the classified CSV and the exported files are all written through it.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to path through Write.
func WriteFile(path string, data []byte) error {
	return Write(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// Write creates path's folder if needed, lets fill write the new content to a
// temporary file beside path, then syncs it and renames it over path. On any
// error, from fill or from the file system, the temporary file is removed and path
// is left as it was. fill's own error is returned as it is; the others name the
// file.
//
// The file gets the mode a shell redirection would give it: the mode of the file
// it replaces, or 0666 less the umask for a new one. A symbolic link is written
// through (the link stays, its target, even one not there yet, gets the content),
// and a path that is not a regular file (a device, a pipe) is written directly.
//
// The temporary name starts with a dot and ends in .part, so that no reader of
// the folder takes it for a finished file.
func Write(path string, fill func(f *os.File) error) (err error) {
	path, err = followLinks(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	switch {
	case err == nil && !st.Mode().IsRegular():
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return fmt.Errorf("écriture de %s : %w", path, err)
		}
		if err := fill(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dossier %s : création impossible : %w", dir, err)
	}
	f, err := createTemp(dir, "."+filepath.Base(path)+".", ".part")
	if err != nil {
		return fmt.Errorf("fichier temporaire dans %s : %w", dir, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if st != nil {
		if err := f.Chmod(st.Mode().Perm()); err != nil {
			return fmt.Errorf("droits de %s : %w", tmp, err)
		}
	}
	if err := fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("écriture de %s : %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("écriture de %s : %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("remplacement de %s : %w", path, err)
	}
	return nil
}

// createTemp is os.CreateTemp with the mode a new file gets from the umask
// (os.CreateTemp makes it private).
func createTemp(dir, prefix, suffix string) (*os.File, error) {
	for range 100 {
		var random [6]byte
		rand.Read(random[:])
		f, err := os.OpenFile(filepath.Join(dir, prefix+hex.EncodeToString(random[:])+suffix), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("aucun nom libre pour un fichier temporaire")
}

// followLinks resolves path through its symbolic links, even one whose target does
// not exist yet.
func followLinks(path string) (string, error) {
	for range 40 {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", fmt.Errorf("lien %s : %w", path, err)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", fmt.Errorf("%s : trop de liens symboliques", path)
}
