package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/perf/benchfmt"
)

// PendingFile is an output file being written. It lives under a temporary
// name in the same folder until Commit renames it into place, so an
// interrupted run never leaves a truncated file where a complete one is
// expected.
type PendingFile struct {
	*os.File
	path string
}

// CreatePending starts writing a file destined for path, creating its
// folder if needed.
func CreatePending(path string) (*PendingFile, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results folder %q cannot be created (%v): RESULTS must be a folder that can be written, such as results", dir, pathCause(err))
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("results folder %q is not writable (%v): RESULTS must be a folder that can be written, such as results", dir, pathCause(err))
	}
	return &PendingFile{File: f, path: path}, nil
}

// pathCause strips the operation and path an *os.PathError repeats.
func pathCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Path returns where the file will be once committed.
func (p *PendingFile) Path() string { return p.path }

// Commit flushes the file to disk and moves it to its final name.
func (p *PendingFile) Commit() error {
	// CreateTemp makes files private; results are for sharing.
	if err := p.Chmod(0o644); err != nil {
		p.Discard()
		return err
	}
	if err := p.Sync(); err != nil {
		p.Discard()
		return err
	}
	if err := p.Close(); err != nil {
		os.Remove(p.Name())
		return err
	}
	if err := os.Rename(p.Name(), p.path); err != nil {
		os.Remove(p.Name())
		return err
	}
	return nil
}

// Discard abandons the file.
func (p *PendingFile) Discard() {
	p.Close()
	os.Remove(p.Name())
}

// ResultFile is a results file in the Go benchmark format being written,
// committed into place only when complete.
type ResultFile struct {
	*benchfmt.Writer
	*PendingFile
}

// CreateResultFile starts writing results destined for path.
func CreateResultFile(path string) (*ResultFile, error) {
	p, err := CreatePending(path)
	if err != nil {
		return nil, err
	}
	return &ResultFile{Writer: benchfmt.NewWriter(p), PendingFile: p}, nil
}

// Write resolves the ambiguity between the embedded writers: a ResultFile
// takes benchmark results.
func (r *ResultFile) Write(rec benchfmt.Record) error { return r.Writer.Write(rec) }
