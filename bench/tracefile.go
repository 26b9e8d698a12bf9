package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// A trace file holds one restart cycle of each cell, for timelines and
// debugging. It sits next to its results file (see TracePath) and is plain
// text: a line per event with four tab-separated fields, the cell's
// benchmark name, the event's offset from the fault in nanoseconds
// (negative before it), its kind and its detail. Lines starting with # are
// comments.

// traceHeader opens every trace file written by WriteCellTrace's callers.
const traceHeader = "# reconnbench trace: cell, ns since the fault, event, detail\n"

// CellTrace is the trace of one restart cycle of a cell.
type CellTrace struct {
	Cell   string // benchmark name, as in the results file
	Events []Event
}

// TracePath returns the trace file that goes with the results file at path.
func TracePath(resultPath string) string {
	return strings.TrimSuffix(resultPath, ".txt") + ".trace"
}

// WriteTraceHeader writes the comment line that opens a trace file.
func WriteTraceHeader(w io.Writer) error {
	_, err := io.WriteString(w, traceHeader)
	return err
}

// WriteCellTrace appends the events of one cycle of cell to a trace file.
func WriteCellTrace(w io.Writer, cell string, events []Event) error {
	bw := bufio.NewWriter(w)
	for _, e := range events {
		// Details are error strings at worst; keep each event on its line.
		detail := strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, e.Detail)
		fmt.Fprintf(bw, "%s\t%d\t%s\t%s\n", cell, int64(e.At), e.Kind, detail)
	}
	return bw.Flush()
}

// maxTraceLine bounds the length of a trace line, newline included.
const maxTraceLine = 1 << 20

// ReadTraces reads a trace file; file names it in errors, which give the
// line of the first malformed event.
func ReadTraces(r io.Reader, file string) ([]CellTrace, error) {
	var traces []CellTrace
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxTraceLine)
	line := 1
	for ; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.SplitN(text, "\t", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf("%s:%d: want 4 tab-separated fields (cell, ns, event, detail), got %d", file, line, len(f))
		}
		if !strings.HasPrefix(f[0], "Benchmark") {
			return nil, fmt.Errorf("%s:%d: cell %q is not a benchmark name", file, line, f[0])
		}
		at, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: time %q is not an integer number of nanoseconds", file, line, f[1])
		}
		if f[2] == "" {
			return nil, fmt.Errorf("%s:%d: empty event kind", file, line)
		}
		e := Event{At: time.Duration(at), Kind: f[2], Detail: f[3]}
		if n := len(traces); n > 0 && traces[n-1].Cell == f[0] {
			traces[n-1].Events = append(traces[n-1].Events, e)
		} else {
			traces = append(traces, CellTrace{Cell: f[0], Events: []Event{e}})
		}
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("%s:%d: line longer than %d bytes: not a trace event", file, line, maxTraceLine-1)
	} else if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", file, line, err)
	}
	return traces, nil
}
