package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// outputFile is a result written beside its target and renamed over it at the end,
// so that an interrupted run never leaves a half file where a good one was.
//
// It writes through symbolic links (the link stays, its target gets the result),
// keeps the mode of the file it replaces, and otherwise creates it with the mode the
// umask gives, as any shell redirection would. A target that is not a regular file
// (a device, a pipe) is written directly.
type outputFile struct {
	*os.File
	target string
	temp   string // "" when writing directly
}

func createOutputFile(path string) (*outputFile, error) {
	target, err := followLinks(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(target)
	switch {
	case err == nil && !st.Mode().IsRegular():
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return nil, err
		}
		return &outputFile{File: f, target: target}, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	for range 100 {
		var suffix [6]byte
		rand.Read(suffix[:])
		temp := filepath.Join(filepath.Dir(target), ".zonage-classify-"+hex.EncodeToString(suffix[:]))
		// 0666 before the umask, as a new file made by a shell would be.
		f, err := os.OpenFile(temp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if st != nil {
			if err := f.Chmod(st.Mode().Perm()); err != nil {
				f.Close()
				os.Remove(temp)
				return nil, err
			}
		}
		return &outputFile{File: f, target: target, temp: temp}, nil
	}
	return nil, fmt.Errorf("aucun nom de fichier temporaire libre dans %s", filepath.Dir(target))
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
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", fmt.Errorf("%s : trop de liens symboliques", path)
}

// commit makes the result visible under its name.
func (o *outputFile) commit() error {
	if o.temp == "" {
		return o.Close()
	}
	if err := o.Sync(); err != nil {
		return err
	}
	if err := o.Close(); err != nil {
		return err
	}
	return os.Rename(o.temp, o.target)
}

// abort removes the temporary file; it does nothing after commit.
func (o *outputFile) abort() {
	o.Close()
	if o.temp != "" {
		os.Remove(o.temp)
	}
}
