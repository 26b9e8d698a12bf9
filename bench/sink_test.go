//go:build go1.25

package bench

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/resultset"
)

// TestDirSink runs a matrix two cells at a time into a folder: each cell
// gets a results file of Count lines and a trace file, and no marker is
// left; a cell that starts and never ends leaves its marker.
func TestDirSink(t *testing.T) {
	dir := t.TempDir()
	mx := Matrix{Strategies: []string{"dialer", "watcher", "healthwatch"}, Faults: []string{"crash"}, Traffic: []Traffic{Idle, Busy},
		Count: 2, Cycles: 1, Clock: Virtual, Workers: 2}
	env := Env{GRPC: GRPCVersion(), Go: GoVersion(), Clock: Virtual}
	sink := DirSink{Dir: dir, Count: mx.Count}
	if failed := mx.Run(t, env, sink, io.Discard); len(failed) > 0 {
		t.Fatal(failed)
	}
	for _, sc := range mx.Scenarios() {
		path := CellFile(dir, sc.Cell(), mx.Count)
		rs, err := resultset.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", sc.Name(), err)
			continue
		}
		for _, r := range rs {
			if c, err := r.Cell(); err != nil || c != sc.Cell() {
				t.Errorf("%s holds %s", path, r.Name)
			}
		}
		if len(rs) != mx.Count {
			t.Errorf("%s: %d results, want %d", path, len(rs), mx.Count)
		}
		traces, err := resultset.ReadTraceFile(resultset.TracePath(path))
		if err != nil || len(traces) != 1 || traces[0].Cell != sc.Cell() {
			t.Errorf("%s: traces %v, %v; want the cell's first cycle", resultset.TracePath(path), traces, err)
		}
	}
	if markers, _ := filepath.Glob(filepath.Join(dir, "*.running.txt")); len(markers) > 0 {
		t.Errorf("markers left after every cell ended: %v", markers)
	}
	if n, _ := filepath.Glob(filepath.Join(dir, "*.n2.txt")); len(n) != len(mx.Scenarios()) {
		t.Errorf("%d results files, want one per cell: %v", len(n), n)
	}

	// A cell whose process dies under it leaves its marker, and no results.
	sc := Scenario{Strategy: "combined", Fault: "flap", Traffic: Stream}
	if err := sink.Start(sc); err != nil {
		t.Fatal(err)
	}
	path := CellFile(dir, sc.Cell(), mx.Count)
	if _, err := os.Stat(RunningMarker(path)); err != nil {
		t.Errorf("no marker for a cell that started: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a cell that never ended has results: %v", err)
	}
}

func TestCellFile(t *testing.T) {
	c := resultset.Cell{Strategy: "watcher", Fault: "crash", Traffic: "idle", Downtime: 5 * time.Minute, Quiet: 45 * time.Minute, Client: "newclient",
		Resolver: "dns", Backends: 3, Policy: "round_robin"}
	if got, want := CellFile("p", c, 6), filepath.Join("p", "strategy=watcher,fault=crash,traffic=idle,downtime=5m0s,quiet=45m0s,client=newclient,resolver=dns,backends=3,policy=round_robin.n6.txt"); got != want {
		t.Errorf("CellFile = %s, want %s", got, want)
	}
	if got, want := RunningMarker("p/x.n6.txt"), "p/x.n6.running.txt"; got != want {
		t.Errorf("RunningMarker = %s, want %s", got, want)
	}
}
