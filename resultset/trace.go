package resultset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
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

// traceHeader opens every trace file.
const traceHeader = "# reconnbench trace: cell, ns since the fault, event, detail\n"

// Event kinds in a cycle's trace.
const (
	EventState       = "state"        // the channel's connectivity state changed (Detail: the state)
	EventDial        = "dial"         // a dial attempt ended (Detail: its outcome)
	EventGiveUp      = "give-up"      // the client closed a connection (Detail: its local address)
	EventFault       = "fault"        // the fault was injected (Detail: its name)
	EventServerUp    = "server-up"    // a server instance started (Detail: its generation)
	EventReplayStart = "replay-start" // the strategy triggered a replay
	EventReplayEnd   = "replay-end"   // a replay RPC ended (Detail: "ok" or the error)
	EventLost        = "lost"         // the strategy reported the connection lost
	EventRecovered   = "recovered"    // a replay completed on the final server instance
	EventIdentity    = "identity"     // the strategy asked the server's identity (Detail: the identity, or the error)
	EventRPC         = "rpc"          // the rare traffic's one RPC ended (Detail: "ok" or the error)
)

// Event is one moment of a restart cycle.
type Event struct {
	At     time.Duration // since the fault; negative before it
	Kind   string
	Detail string
}

func (e Event) String() string { return fmt.Sprintf("%12v %-12s %s", e.At, e.Kind, e.Detail) }

// CellTrace is the trace of one restart cycle of a cell.
type CellTrace struct {
	Cell   Cell
	Events []Event
}

// TraceWriter writes a trace file, committed into place only when
// complete.
type TraceWriter struct {
	*PendingFile
}

// CreateTrace starts writing the trace file destined for path.
func CreateTrace(path string) (*TraceWriter, error) {
	p, err := CreatePending(path)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(p, traceHeader); err != nil {
		p.Discard()
		return nil, err
	}
	return &TraceWriter{p}, nil
}

// WriteCell appends the events of one cycle of a cell.
func (w *TraceWriter) WriteCell(t CellTrace) error { return WriteCellTrace(w, t) }

// WriteTraceHeader writes the comment line that opens a trace file, for
// traces written to something other than a TraceWriter.
func WriteTraceHeader(w io.Writer) error {
	_, err := io.WriteString(w, traceHeader)
	return err
}

// WriteCellTrace appends the events of one cycle of a cell to a trace file.
func WriteCellTrace(w io.Writer, t CellTrace) error {
	bw := bufio.NewWriter(w)
	name := "Benchmark" + t.Cell.String()
	for _, e := range t.Events {
		// Details are error strings at worst; keep each event on its line.
		detail := strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, e.Detail)
		fmt.Fprintf(bw, "%s\t%d\t%s\t%s\n", name, int64(e.At), e.Kind, detail)
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
		cell, err := ParseCell(f[0])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, line, err)
		}
		at, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: time %q is not an integer number of nanoseconds", file, line, f[1])
		}
		if f[2] == "" {
			return nil, fmt.Errorf("%s:%d: empty event kind", file, line)
		}
		e := Event{At: time.Duration(at), Kind: f[2], Detail: f[3]}
		if n := len(traces); n > 0 && traces[n-1].Cell == cell {
			traces[n-1].Events = append(traces[n-1].Events, e)
		} else {
			traces = append(traces, CellTrace{Cell: cell, Events: []Event{e}})
		}
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("%s:%d: line longer than %d bytes: not a trace event", file, line, maxTraceLine-1)
	} else if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", file, line, err)
	}
	return traces, nil
}

// ReadTraceFile reads the trace file at path. A missing file is no error:
// traces are optional, and it returns none.
func ReadTraceFile(path string) ([]CellTrace, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadTraces(f, path)
}
