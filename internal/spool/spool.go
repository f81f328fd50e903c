// Package spool receives a whole request body before it is used: the first
// bytes in memory, the rest in a temporary file, so that memory stays bounded
// whatever the size.
//
// The streamed classify answer is written as the rows are read. Reading the
// body from the connection while writing the answer deadlocks with the many
// HTTP clients that send the whole body before they read anything (Python's
// urllib and requests among them): once the answer fills the socket buffers,
// the server stops reading and the client stops sending. Receiving the body
// first, as net/http already does for a multipart form, takes that away.
package spool

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrStore marks a failure to keep the body aside (a full or unwritable
// temporary folder): the server's fault, not the client's.
var ErrStore = errors.New("mise de côté du fichier reçu impossible")

// MemoryLimit is how much of a body is kept in memory before the rest goes to
// a temporary file: most lists of cabinets fit in it.
const MemoryLimit = 1 << 20

// Body is a body received whole.
type Body struct {
	mem    *bytes.Reader
	file   *os.File // nil while the body fits in memory
	reader io.Reader
}

// Receive reads r to its end, keeping up to memoryLimit bytes in memory and
// the rest in a temporary file of dir (os.TempDir when empty). The error of r,
// if any, is returned as it is (an *http.MaxBytesError stays one), once the
// temporary file is removed; a failure of the temporary file is an ErrStore.
func Receive(r io.Reader, dir string, memoryLimit int) (*Body, error) {
	var head bytes.Buffer
	n, err := io.CopyN(&head, r, int64(memoryLimit)+1)
	if err == io.EOF {
		b := bytes.NewReader(head.Bytes())
		return &Body{mem: b, reader: b}, nil
	}
	if err != nil {
		return nil, err
	}
	// Over the limit: the whole body goes to the file, the head included, so
	// that memory holds nothing once it is written.
	f, err := os.CreateTemp(dir, "zonage-corps-*")
	if err != nil {
		return nil, fmt.Errorf("%w : %w", ErrStore, err)
	}
	body := &Body{file: f}
	if _, err := f.Write(head.Bytes()[:n]); err != nil {
		body.Close()
		return nil, fmt.Errorf("%w : %w", ErrStore, err)
	}
	if _, err := io.Copy(f, r); err != nil {
		body.Close()
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			return nil, fmt.Errorf("%w : %w", ErrStore, err)
		}
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		body.Close()
		return nil, fmt.Errorf("%w : %w", ErrStore, err)
	}
	body.reader = f
	return body, nil
}

// Read reads the body received.
func (b *Body) Read(p []byte) (int, error) { return b.reader.Read(p) }

// InFile tells whether the body went to a temporary file.
func (b *Body) InFile() bool { return b.file != nil }

// Close removes the temporary file, if any.
func (b *Body) Close() error {
	if b.file == nil {
		return nil
	}
	err := b.file.Close()
	if rmErr := os.Remove(b.file.Name()); err == nil {
		err = rmErr
	}
	b.file = nil
	return err
}
