package bench

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
	WriteCellTrace(&buf, "BenchmarkReconnect/strategy=a", a)
	WriteCellTrace(&buf, "BenchmarkReconnect/strategy=b", b)
	got, err := ReadTraces(&buf, "t.trace")
	if err != nil {
		t.Fatal(err)
	}
	// Tabs and newlines in details become spaces so each event keeps its line.
	a[3].Detail = "rpc error: code = Unavailable more"
	want := []CellTrace{{"BenchmarkReconnect/strategy=a", a}, {"BenchmarkReconnect/strategy=b", b}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestReadTracesErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"# c\nBenchmarkX\t1\tdial\n", "t.trace:2: want 4 tab-separated fields"},
		{"BenchmarkX\tsoon\tdial\tok\n", `t.trace:1: time "soon" is not an integer`},
		{"X\t1\tdial\tok\n", `t.trace:1: cell "X" is not a benchmark name`},
		{"BenchmarkX\t1\t\tok\n", "t.trace:1: empty event kind"},
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
