package resultset

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestTraceFileRoundTrip(t *testing.T) {
	a := []Event{
		{-2 * time.Second, EventState, "READY"},
		{0, EventFault, "crash"},
		{time.Second, EventDial, "accepted"},
		{1500 * time.Millisecond, EventReplayEnd, "rpc error:\tcode = Unavailable\nmore"},
	}
	b := []Event{{0, EventFault, "blackhole"}}
	var buf bytes.Buffer
	WriteTraceHeader(&buf)
	ca := NewCell("a", "crash", "idle")
	cb := NewCell("b", "blackhole", "busy")
	WriteCellTrace(&buf, CellTrace{ca, a})
	WriteCellTrace(&buf, CellTrace{cb, b})
	got, err := ReadTraces(&buf, "t.trace")
	if err != nil {
		t.Fatal(err)
	}
	// Tabs and newlines in details become spaces so each event keeps its line.
	a[3].Detail = "rpc error: code = Unavailable more"
	want := []CellTrace{{ca, a}, {cb, b}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestReadTracesErrors(t *testing.T) {
	const cell = "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle"
	for _, tc := range []struct{ in, want string }{
		{"# c\n" + cell + "\t1\tdial\n", "t.trace:2: want 4 tab-separated fields"},
		{cell + "\tsoon\tdial\tok\n", `t.trace:1: time "soon" is not an integer`},
		{"X\t1\tdial\tok\n", `t.trace:1: cell "X" is not a benchmark name`},
		{"BenchmarkReconnect/strategy=a\t1\tdial\tok\n", "t.trace:1: benchmark Reconnect/strategy=a lacks key fault"},
		{cell + "\t1\t\tok\n", "t.trace:1: empty event kind"},
	} {
		_, err := ReadTraces(strings.NewReader(tc.in), "t.trace")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("ReadTraces(%q) = %v, want an error starting %q", tc.in, err, tc.want)
		}
	}
}

func TestTracePath(t *testing.T) {
	if got, want := TracePath("results/grpc-v1.85.0.go1.23.12.txt"), "results/grpc-v1.85.0.go1.23.12.trace"; got != want {
		t.Errorf("TracePath = %q, want %q", got, want)
	}
}

func TestReadTracesOldNames(t *testing.T) {
	// Trace files written before fault= was called scenario=.
	in := "BenchmarkReconnect/strategy=a/scenario=crash/traffic=idle\t5\tdial\taccepted\n"
	got, err := ReadTraces(strings.NewReader(in), "t.trace")
	if err != nil {
		t.Fatal(err)
	}
	if want := (NewCell("a", "crash", "idle")); len(got) != 1 || got[0].Cell != want {
		t.Errorf("got %+v, want one trace of %v", got, want)
	}
}
