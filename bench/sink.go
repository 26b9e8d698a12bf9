package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/resultset"
)

// FileSink writes every cell's results to one writer and, if Traces is
// set, the trace of each cell's first cycle to Traces, in the trace file
// format.
type FileSink struct {
	Results *benchfmt.Writer
	Traces  io.Writer
}

// Start implements Sink.
func (FileSink) Start(Scenario) error { return nil }

// Done implements Sink.
func (s FileSink) Done(sc Scenario, results []*benchfmt.Result, trace []resultset.Event) error {
	for _, r := range results {
		if err := s.Results.Write(r); err != nil {
			return err
		}
	}
	if s.Traces == nil {
		return nil
	}
	return resultset.WriteCellTrace(s.Traces, resultset.CellTrace{Cell: sc.Cell(), Events: trace})
}

// DirSink writes each cell into a results file and a trace file of its
// own in Dir (see CellFile), committed when the cell is done, so that
// what a process measured survives it. While a cell runs, its marker
// file (RunningMarker) says so: a marker left behind names a cell whose
// process died under it.
type DirSink struct {
	Dir   string
	Count int
}

// CellFile returns the results file of cell c measured count times in the
// folder dir; the count is in the name, so that a run with another count
// measures the cell again.
func CellFile(dir string, c resultset.Cell, count int) string {
	var keys []string
	for _, k := range c.Name().Keys {
		keys = append(keys, k.Key+"="+k.Value)
	}
	return filepath.Join(dir, fmt.Sprintf("%s.n%d.txt", strings.Join(keys, ","), count))
}

// RunningMarker returns the marker of the cell whose results go to file.
func RunningMarker(file string) string {
	return strings.TrimSuffix(file, ".txt") + ".running.txt"
}

// Start implements Sink: it leaves the cell's marker.
func (s DirSink) Start(sc Scenario) error {
	f, err := os.Create(RunningMarker(CellFile(s.Dir, sc.Cell(), s.Count)))
	if err != nil {
		return err
	}
	return f.Close()
}

// Done implements Sink: the trace first, then the results, which mark the
// cell done, then the marker goes.
func (s DirSink) Done(sc Scenario, results []*benchfmt.Result, trace []resultset.Event) error {
	path := CellFile(s.Dir, sc.Cell(), s.Count)
	tw, err := resultset.CreateTrace(resultset.TracePath(path))
	if err != nil {
		return err
	}
	if err := tw.WriteCell(resultset.CellTrace{Cell: sc.Cell(), Events: trace}); err != nil {
		tw.Discard()
		return err
	}
	if err := tw.Commit(); err != nil {
		return err
	}
	w, err := resultset.Create(path)
	if err != nil {
		return err
	}
	for _, r := range results {
		if err := w.Write(r); err != nil {
			w.Discard()
			return err
		}
	}
	if err := w.Commit(); err != nil {
		return err
	}
	return os.Remove(RunningMarker(path))
}

// WriteCellList writes the names of cells to a file, one a line, for
// -matrix.cells.
func WriteCellList(path string, cells []resultset.Cell) error {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString(c.String() + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// ReadCellList reads a file WriteCellList wrote.
func ReadCellList(path string) ([]resultset.Cell, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cells []resultset.Cell
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		c, err := resultset.ParseCell(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		cells = append(cells, c)
	}
	return cells, nil
}
