// Package atomicfile writes a file so that readers see either the old content or
// the whole new one, never a part: the snapshot, the downloaded sources, their lock
// file and the classified CSV are all written through it.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write creates path's folder if needed, lets fill write the new content to a
// temporary file beside path, then syncs it, makes it readable by all (0644, as
// the data files it writes are public) and renames it over path. On any error,
// from fill or from the file system, the temporary file is removed and path is
// left as it was. fill's own error is returned as it is; the others name the file.
//
// The temporary name starts with a dot and ends in .part, so that no reader of
// the folder takes it for a finished file.
func Write(path string, fill func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dossier %s : création impossible : %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.part")
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
	if err := fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("écriture de %s : %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("écriture de %s : %w", tmp, err)
	}
	// CreateTemp makes the file private.
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("droits de %s : %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("remplacement de %s : %w", path, err)
	}
	return nil
}
