package bench

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/perf/benchfmt"
)

// ResultFile is a results file being written. It lives under a temporary
// name in the same folder until Commit renames it into place, so an
// interrupted run never leaves a truncated file where a complete one is
// expected.
type ResultFile struct {
	*benchfmt.Writer
	path string
	f    *os.File
}

// CreateResultFile starts writing results destined for path.
func CreateResultFile(path string) (*ResultFile, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("results folder %s is not writable: %w", dir, err)
	}
	return &ResultFile{Writer: benchfmt.NewWriter(f), path: path, f: f}, nil
}

// Path returns where the file will be once committed.
func (r *ResultFile) Path() string { return r.path }

// Commit flushes the file to disk and moves it to its final name.
func (r *ResultFile) Commit() error {
	// CreateTemp makes files private; results are for sharing.
	if err := r.f.Chmod(0o644); err != nil {
		r.Discard()
		return err
	}
	if err := r.f.Sync(); err != nil {
		r.Discard()
		return err
	}
	if err := r.f.Close(); err != nil {
		os.Remove(r.f.Name())
		return err
	}
	if err := os.Rename(r.f.Name(), r.path); err != nil {
		os.Remove(r.f.Name())
		return err
	}
	return nil
}

// Discard abandons the file.
func (r *ResultFile) Discard() {
	r.f.Close()
	os.Remove(r.f.Name())
}
