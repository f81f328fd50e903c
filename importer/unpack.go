package importer

// What is kept of a downloaded body: the bytes as they are, gunzipped, or one member
// of an npm tarball, with the digest data.gouv.fr announces checked on the way.

import (
	"archive/tar"
	"compress/gzip"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"
)

func copyAll(r io.Reader, w io.Writer) error {
	_, err := io.Copy(w, r)
	return err
}

func gunzipAll(r io.Reader, w io.Writer) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return decodeError(err)
	}
	_, err = io.Copy(w, zr)
	return decodeError(err)
}

// extractMember streams the tarball: the npm archives are a few megabytes and
// only one of their files is kept.
func extractMember(member string) func(io.Reader, io.Writer) error {
	return func(r io.Reader, w io.Writer) error {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return decodeError(err)
		}
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return permanent(fmt.Errorf("le fichier %s est absent de l'archive npm", member))
			}
			if err != nil {
				return decodeError(err)
			}
			if path.Clean(strings.TrimPrefix(h.Name, "./")) != member {
				continue
			}
			if h.Typeflag != tar.TypeReg {
				return permanent(fmt.Errorf("%s n'est pas un fichier ordinaire dans l'archive npm", member))
			}
			_, err = io.Copy(w, tr)
			return decodeError(err)
		}
	}
}

// decodeError makes a malformed archive permanent (the server sent something
// else, such as an HTML page) while a truncated one stays retryable.
func decodeError(err error) error {
	if errors.Is(err, gzip.ErrHeader) || errors.Is(err, tar.ErrHeader) {
		return permanent(fmt.Errorf("le contenu reçu n'est pas l'archive attendue (%v)", err))
	}
	return err
}

// rawChecksum is a digest announced by data.gouv.fr for the resource as served.
type rawChecksum struct {
	kind  string
	value string
	h     hash.Hash
}

// transformChecked runs transform and, when a checksum is announced, checks it
// on the raw bytes, before the file can be committed.
func transformChecked(body io.Reader, w io.Writer, transform func(io.Reader, io.Writer) error, check *rawChecksum) error {
	if check == nil {
		return transform(body, w)
	}
	check.h.Reset()
	tee := io.TeeReader(body, check.h)
	if err := transform(tee, w); err != nil {
		return err
	}
	// A decoder may stop before the end of the stream; the digest covers all of it.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return err
	}
	if got := hex.EncodeToString(check.h.Sum(nil)); !strings.EqualFold(got, check.value) {
		return permanent(fmt.Errorf("%w : %s publiée par data.gouv.fr %s, obtenue %s ; le fichier téléchargé n'a pas été conservé", ErrChecksumMismatch, check.kind, check.value, got))
	}
	return nil
}
