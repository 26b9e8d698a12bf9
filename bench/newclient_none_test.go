//go:build go1.25 && reconnbench_nonewclient

package bench

import (
	"bytes"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/resultset"
)

// TestNewClientNotApplicable: built for a release without grpc.NewClient,
// a client=newclient cell is recorded as not applicable, a line of
// inapplicable/op 1 and nothing else, under the cell's own name; Dial cells
// still run. go test -tags reconnbench_nonewclient runs it.
func TestNewClientNotApplicable(t *testing.T) {
	mx := Matrix{Strategies: []string{"watcher"}, Faults: []string{"crash"}, Traffic: []Traffic{Idle},
		Clients: []Client{Dial, NewClient}, Count: 2, Cycles: 1, Clock: Virtual}
	if err := mx.Validate(); err != nil {
		t.Fatal(err)
	}
	var out, progress bytes.Buffer
	if failed := mx.Run(t, Env{GRPC: GRPCVersion(), Go: GoVersion(), Clock: Virtual}, FileSink{Results: benchfmt.NewWriter(&out)}, &progress); len(failed) > 0 {
		t.Fatal(failed)
	}
	rs, err := resultset.Read(&out, "matrix.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{}
	for _, r := range rs {
		c, err := r.Cell()
		if err != nil {
			t.Fatal(err)
		}
		lines[c.Client]++
		_, inapplicable := r.Value(resultset.UnitInapplicable)
		switch {
		case c.Client == "newclient" && (!inapplicable || len(r.Values) != 1):
			t.Errorf("%s: %v, want inapplicable/op 1 alone", r.Name, r.Values)
		case c.Client == "dial" && inapplicable:
			t.Errorf("%s: a Dial cell is marked not applicable", r.Name)
		}
	}
	if lines["dial"] != 2 || lines["newclient"] != 2 {
		t.Errorf("lines per client %v, want 2 each", lines)
	}
}
