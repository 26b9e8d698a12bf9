package resultset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/semver"
	"golang.org/x/perf/benchfmt"
)

// Results files are named for what they hold, so that folders from
// several machines merge by copying:
//
//	grpc-<release>[.<toolchain>][.real|.tcp][.<link>][.shard-<i>-of-<n>].txt
//
// with the trace file of their first cycles beside them (TracePath).
const filePrefix = "grpc-"

// FileName returns the name of the results file of release, with the
// qualifiers that set it apart (a toolchain, a clock or network, a link, a
// shard) in that order; empty qualifiers are left out.
func FileName(release string, qualifiers ...string) string {
	name := filePrefix + release
	for _, q := range qualifiers {
		if q != "" {
			name += "." + q
		}
	}
	return name + ".txt"
}

// ReleaseOfFile returns the gRPC-Go release a results file is named for,
// or "" when its name says none.
func ReleaseOfFile(path string) string {
	name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), filePrefix), ".txt")
	parts := strings.SplitN(name, ".", 4)
	if len(parts) < 3 {
		return ""
	}
	v := strings.Join(parts[:3], ".")
	if !semver.IsValid(v) {
		return ""
	}
	return v
}

// TracePath returns the trace file that goes with the results file at path.
func TracePath(resultPath string) string {
	return strings.TrimSuffix(resultPath, ".txt") + ".trace"
}

// Files lists the results files of the folder dir. None is an error that
// says how to make some.
func Files(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, filePrefix+"*.txt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("results folder %q cannot be read (%v): give a folder make bench wrote, such as results", dir, pathCause(err))
		}
		return nil, fmt.Errorf("%s: no results files (%s*.txt): run make bench first", dir, filePrefix)
	}
	return files, nil
}

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

// Discard abandons the file. After Commit it does nothing.
func (p *PendingFile) Discard() {
	p.Close()
	os.Remove(p.Name())
}

// Writer writes a results file in the Go benchmark format, committed into
// place only when complete.
type Writer struct {
	*PendingFile
	w *benchfmt.Writer
}

// Create starts writing results destined for path.
func Create(path string) (*Writer, error) {
	p, err := CreatePending(path)
	if err != nil {
		return nil, err
	}
	return &Writer{PendingFile: p, w: benchfmt.NewWriter(p)}, nil
}

// Write writes a result, or another benchfmt record such as a unit line.
// The writer prints configuration lines only where they change.
func (w *Writer) Write(rec benchfmt.Record) error { return w.w.Write(rec) }

// Benchfmt returns the underlying benchfmt writer.
func (w *Writer) Benchfmt() *benchfmt.Writer { return w.w }
