package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

func TestJudge(t *testing.T) {
	const s = 1e9 // ns
	// cycle is one results line; recover < 0 is a miss.
	cycle := func(dials, recover, restart float64) record {
		r := record{resultset.UnitMissed: 0, resultset.UnitUndetected: 0, resultset.UnitDials: dials, resultset.UnitRestart: restart * s}
		if recover < 0 {
			r[resultset.UnitMissed] = 1
		} else {
			r[resultset.UnitRecover] = recover * s
		}
		return r
	}
	ok := func(dials, recover float64) record { return cycle(dials, recover, 1) }
	spurious := func(n float64) record {
		r := ok(2, 1)
		r[resultset.UnitSpurious] = n
		return r
	}
	for _, tc := range []struct {
		name     string
		sim, tcp []record
		status   int
		differs  []string
	}{
		{"identical", []record{ok(2, 1.5)}, []record{ok(2, 1.5)}, agrees, nil},
		{"recover within 5%", []record{ok(2, 13)}, []record{ok(2, 13.6)}, agrees, nil},
		{"recover beyond 5%", []record{ok(2, 13)}, []record{ok(2, 13.7)}, differs, []string{"recover-ns"}},
		{"recover within 50ms", []record{ok(2, 0.1)}, []record{ok(2, 0.149)}, agrees, nil},
		{"recover beyond 50ms", []record{ok(2, 0.1)}, []record{ok(2, 0.151)}, differs, []string{"recover-ns"}},
		{"within the simulated jitter", []record{ok(2, 1), ok(3, 2.6)}, []record{ok(3, 2.1)}, agrees, nil},
		{"dials one more", []record{ok(2, 1)}, []record{ok(3, 1)}, agrees, nil},
		{"dials two more", []record{ok(2, 1)}, []record{ok(4, 1)}, differs, []string{"dials"}},
		{"missed only on tcp", []record{ok(1, 1)}, []record{ok(1, -1)}, differs, []string{"missed"}},
		{"missed sometimes in netsim", []record{ok(1, 1), ok(1, -1)}, []record{ok(1, -1)}, agrees, nil},
		{"restart 40ms late", []record{ok(2, 1)}, []record{cycle(2, 1.04, 1.04)}, agrees, nil},
		{"restart 60ms late", []record{ok(2, 1)}, []record{cycle(3, 2.6, 1.06)}, inconclusive, nil},
		{"one of two restarts late", []record{ok(2, 1)}, []record{cycle(3, 2.6, 1.06), ok(2, 1)}, agrees, nil},
		{"late, and missed only on tcp", []record{ok(2, 1)}, []record{cycle(3, -1, 1.06)}, differs, []string{"missed"}},
		{"no tcp result", []record{ok(1, 1)}, nil, differs, []string{"no tcp result"}},
		{"a spurious replay only on tcp", []record{spurious(0)}, []record{spurious(1)}, differs, []string{"spurious-replays"}},
		{"spurious replays sometimes in netsim", []record{spurious(0), spurious(1)}, []record{spurious(1)}, agrees, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := judge(resultset.Cell{Strategy: "a", Fault: "b", Traffic: "c"}, tc.sim, tc.tcp)
			if !reflect.DeepEqual(got.differs, tc.differs) || got.status() != tc.status {
				t.Errorf("status %d, differs %q; want %d, %q (%s)", got.status(), got.differs, tc.status, tc.differs, got.word())
			}
		})
	}
	late := judge(resultset.Cell{Strategy: "a", Fault: "b", Traffic: "c"}, []record{ok(2, 1)}, []record{cycle(3, 2.6, 1.127)})
	if w := late.word(); w != "inconclusive: the server process restarted 127ms late" {
		t.Errorf("word() = %q", w)
	}
}

// TestValidationReleases checks that auto picks the oldest and newest
// tracked releases and both sides of a change in missed/op, and ignores
// files of other toolchains, clocks or links.
func TestValidationReleases(t *testing.T) {
	results := t.TempDir()
	write := func(file, release string, missed float64) {
		t.Helper()
		body := fmt.Sprintf("grpc: %s\ngo: go1.26.8\nclock: virtual\nlink: local\n\nBenchmarkReconnect/strategy=dialer/fault=crash/traffic=idle 1 %g missed/op 0 undetected/op\n", release, missed)
		if err := os.WriteFile(filepath.Join(results, file), []byte(body), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	write("grpc-v1.35.0.txt", "v1.35.0", 0)
	write("grpc-v1.40.1.txt", "v1.40.1", 0)
	write("grpc-v1.41.0.txt", "v1.41.0", 1)
	write("grpc-v1.45.0.txt", "v1.45.0", 1)
	write("grpc-v1.50.1.real.txt", "v1.50.1", 0) // another clock: not a behaviour change
	modDir := filepath.Join(moduleRoot, versions.Dir)
	if rels, _, err := validationReleases(modDir, results, []resultset.Cell{resultset.NewCell("watcher", "crash", "idle")}); err != nil || len(rels) != 2 {
		t.Errorf("a change in a cell validate does not run picks releases: %v, %v", rels, err)
	}
	rels, changes, err := validationReleases(modDir, results, bench.ValidateSet())
	if err != nil {
		t.Fatal(err)
	}
	have, err := versions.Tracked(modDir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{have[0], "v1.40.1", "v1.41.0", have[len(have)-1]}
	if !reflect.DeepEqual(rels, want) {
		t.Errorf("releases %v, want %v", rels, want)
	}
	if len(changes) != 1 || changes[0].from != "v1.40.1" || changes[0].to != "v1.41.0" || changes[0].unit != resultset.UnitMissed {
		t.Errorf("changes %+v, want one: v1.40.1..v1.41.0 in missed/op", changes)
	}
}

// TestReplaceCells checks that a rerun's results and traces take the place
// of the old ones, and that everything else is kept.
func TestReplaceCells(t *testing.T) {
	dir := t.TempDir()
	const head = "grpc: v1.85.0\ngo: go1.26.8\nclock: real\nnet: tcp\nlink: local\n\n"
	line := func(cell string, recover int) string {
		return fmt.Sprintf("BenchmarkReconnect/strategy=%s/fault=crash/traffic=idle 1 %d recover-ns/op 0 missed/op\n", cell, recover)
	}
	trace := func(cell string, at int) string {
		return fmt.Sprintf("BenchmarkReconnect/strategy=%s/fault=crash/traffic=idle\t%d\tfault\tcrash\n", cell, at)
	}
	write := func(name, body string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o666); err != nil {
			t.Fatal(err)
		}
		return path
	}
	main := write("grpc-v1.85.0.tcp.txt", head+line("a", 1)+line("b", 2)+line("c", 3))
	write("grpc-v1.85.0.tcp.trace", "# trace\n"+trace("a", 1)+trace("b", 2)+trace("c", 3))
	again := write("rerun.txt", head+line("b", 20))
	write("rerun.trace", "# trace\n"+trace("b", 20))

	cells := map[resultset.Cell]bool{resultset.NewCell("b", "crash", "idle"): true}
	if err := replaceCells(main, cells, []string{again}); err != nil {
		t.Fatal(err)
	}
	runs, err := readCells(main)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]float64{}
	for c, rs := range runs {
		got[c.Short()] = values(rs, resultset.UnitRecover)
	}
	want := map[string][]float64{"a crash idle": {1}, "b crash idle": {20}, "c crash idle": {3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results after the rerun: %v, want %v", got, want)
	}
	f, err := os.Open(resultset.TracePath(main))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	traces, err := resultset.ReadTraces(f, "trace")
	if err != nil {
		t.Fatal(err)
	}
	var at []string
	for _, tr := range traces {
		at = append(at, fmt.Sprintf("%s@%d", tr.Cell.Short(), tr.Events[0].At))
	}
	if w := []string{"a crash idle@1", "c crash idle@3", "b crash idle@20"}; !reflect.DeepEqual(at, w) {
		t.Errorf("traces after the rerun: %v, want %v", at, w)
	}
}

// TestCompareNetsMissingFile checks that a release whose real run left no
// file is judged, cell by cell, as lacking its tcp results.
func TestCompareNetsMissingFile(t *testing.T) {
	dir := t.TempDir()
	sim := filepath.Join(dir, "grpc-v1.85.0.txt")
	body := "grpc: v1.85.0\ngo: go1.26.8\nclock: virtual\nlink: local\n\nBenchmarkReconnect/strategy=watcher/fault=crash/traffic=idle 1 1e9 recover-ns/op 0 missed/op\n"
	if err := os.WriteFile(sim, []byte(body), 0o666); err != nil {
		t.Fatal(err)
	}
	v, err := compareNets("v1.85.0", sim, filepath.Join(dir, "grpc-v1.85.0.tcp.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.rows) != 1 || v.rows[0].word() != "DIFFERS: no tcp result" {
		t.Fatalf("rows %+v, want one cell without a tcp result", v.rows)
	}
}

// TestValidateLongCells checks that the cells with a long downtime run
// again on netsim with -long-count cycles, that none do when the filters
// leave none, and that every network's processes get the deadline.
func TestValidateLongCells(t *testing.T) {
	t.Chdir(moduleRoot)
	results := t.TempDir()
	v, err := parseValidateFlags([]string{"-versions", "v1.85.0", "-results", results, "-long-count", "500", "-deadline", "45s"})
	if err != nil {
		t.Fatal(err)
	}
	if v.long == nil {
		t.Fatal("no run of the long-downtime cells")
	}
	var want []resultset.Cell
	for _, c := range bench.ValidateSet() {
		if c.Downtime > bench.DefaultDowntime {
			want = append(want, c)
		}
	}
	if len(want) == 0 || !reflect.DeepEqual(v.long.matrix.Cells, want) || v.long.matrix.Count != 500 || v.long.matrix.Clock != bench.Virtual {
		t.Errorf("long run: %d cells, %d cycles each, %s clock; want the validate set's %d with a downtime over %v, 500 cycles, virtual",
			len(v.long.matrix.Cells), v.long.matrix.Count, v.long.matrix.Clock, len(want), bench.DefaultDowntime)
	}
	for _, c := range []*runConfig{v.sim, v.tcp, v.long} {
		if c.matrix.Base.Deadline != 45*time.Second {
			t.Errorf("a %s run's deadline for its process limit: %v, want 45s", c.matrix.Clock, c.matrix.Base.Deadline)
		}
	}
	v, err = parseValidateFlags([]string{"-versions", "v1.85.0", "-results", results, "-faults", "rotate"})
	if err != nil {
		t.Fatal(err)
	}
	if v.long != nil {
		t.Errorf("rotate cells only: a long-downtime run of %d cells", len(v.long.matrix.Cells))
	}
}
