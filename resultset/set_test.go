package resultset_test

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/resultset/resultsettest"
)

func TestLoadOneFile(t *testing.T) {
	dir := t.TempDir()
	d, err := resultset.Load([]string{resultsettest.Write(t, dir, "grpc-v1.41.0.txt", resultsettest.Release("v1.41.0", "virtual"))})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Runs) != 1 || d.Runs[0].Label != "v1.41.0" {
		t.Fatalf("runs %+v, want one labelled v1.41.0", d.Runs)
	}
	if d.Main != (resultset.Series{"go1.26.8", "virtual", "netsim", "local"}) {
		t.Errorf("main series %+v", d.Main)
	}
	for _, tc := range []struct {
		name   string
		got    []string
		expect []string
	}{
		{"strategies", d.Strategies, []string{"bad", "good"}},
		{"faults", d.Faults, []string{"blackhole", "crash"}},
		{"traffic", d.Traffic, []string{"idle", "busy"}}, // idle first, not alphabetical
	} {
		if !slices.Equal(tc.got, tc.expect) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.expect)
		}
	}
	r := d.Runs[0]
	for _, tc := range []struct {
		cell        resultset.Cell
		times       int     // recovery times present
		first       float64 // the first, in nanoseconds
		missed, all int
	}{
		{resultset.NewCell("good", "crash", "idle"), 6, 1e9, 0, 6},
		{resultset.NewCell("bad", "crash", "idle"), 0, math.NaN(), 6, 6}, // a miss has no time, never a zero
		{resultset.NewCell("bad", "crash", "busy"), 6, 2e9, 0, 6},
	} {
		c := r.Cells[tc.cell]
		xs := c.Values(resultset.UnitRecover)
		if len(xs) != tc.times || len(xs) > 0 && xs[0] != tc.first {
			t.Errorf("%v: recovery times %v, want %d starting at %v ns", tc.cell, xs, tc.times, tc.first)
		}
		if k, n := c.Count("missed/op"); k != tc.missed || n != tc.all {
			t.Errorf("%v: missed %d/%d, want %d/%d", tc.cell, k, n, tc.missed, tc.all)
		}
	}
}

func TestLoadSortsReleasesBySemver(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, v := range []string{"v1.10.0", "v1.9.0", "v1.41.0", "v1.100.0"} {
		files = append(files, resultsettest.Write(t, dir, "grpc-"+v+".txt", resultsettest.Release(v, "virtual")))
	}
	d, err := resultset.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"v1.9.0", "v1.10.0", "v1.41.0", "v1.100.0"} // lexically v1.10.0 and v1.100.0 would come first
	if got := runLabels(d.Runs); !slices.Equal(got, want) {
		t.Errorf("releases %v, want %v", got, want)
	}
}

func TestLoadKeepsSeriesApart(t *testing.T) {
	for _, tc := range []struct {
		name   string
		other  string // header of the odd file out
		labels []string
	}{
		{"clock", resultsettest.Config("v1.40.1", "go1.26.8", "real", "local"), []string{"v1.40.1", "v1.40.1 (real)", "v1.41.0"}},
		{"toolchain", resultsettest.Config("v1.40.1", "go1.23.12", "virtual", "local"), []string{"v1.40.1", "v1.40.1 (go1.23.12)", "v1.41.0"}},
		{"link", resultsettest.Config("v1.40.1", "go1.26.8", "virtual", "wan"), []string{"v1.40.1", "v1.40.1 (wan)", "v1.41.0"}},
		{"net", strings.Replace(resultsettest.Config("v1.40.1", "go1.26.8", "real", "local"), "link:", "net: tcp\nlink:", 1), []string{"v1.40.1", "v1.40.1 (real, tcp)", "v1.41.0"}},
		{"everything", resultsettest.Config("v1.40.1", "go1.23.12", "real", "lan"), []string{"v1.40.1", "v1.40.1 (go1.23.12, real, lan)", "v1.41.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			odd := strings.Replace(resultsettest.Release("v1.40.1", "virtual"), resultsettest.Config("v1.40.1", "go1.26.8", "virtual", "local"), tc.other, 1)
			d, err := resultset.Load([]string{
				resultsettest.Write(t, dir, "grpc-v1.40.1.txt", resultsettest.Release("v1.40.1", "virtual")),
				resultsettest.Write(t, dir, "grpc-v1.41.0.txt", resultsettest.Release("v1.41.0", "virtual")),
				resultsettest.Write(t, dir, "grpc-v1.40.1.odd.txt", odd),
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := runLabels(d.Runs); !slices.Equal(got, tc.labels) {
				t.Errorf("labels %q, want %q", got, tc.labels)
			}
			for _, r := range d.Runs {
				if _, n := r.Cells[resultset.NewCell("good", "crash", "idle")].Count("missed/op"); n != 6 {
					t.Errorf("%s: %d cycles in a cell, want 6: series pooled", r.Label, n)
				}
			}
			if got := len(d.SeriesRuns()); got != 2 {
				t.Errorf("%d series, want 2", got)
			}
		})
	}
}

func TestLoadMixedClocksInOneFile(t *testing.T) {
	// make bench reruns a cell that stalls the virtual clock on the real
	// clock, into the same file: its lines say clock: real.
	content := resultsettest.Release("v1.46.0", "virtual") + "clock: real\n" + resultsettest.Line("good", "flap", "idle", 3, 4)
	d, err := resultset.Load([]string{resultsettest.Write(t, t.TempDir(), "grpc-v1.46.0.txt", content)})
	if err != nil {
		t.Fatal(err)
	}
	if got := runLabels(d.Runs); !slices.Equal(got, []string{"v1.46.0", "v1.46.0 (real)"}) {
		t.Fatalf("labels %q", got)
	}
	if d.Runs[0].Cells[resultset.NewCell("good", "flap", "idle")] != nil || d.Runs[1].Cells[resultset.NewCell("good", "flap", "idle")] == nil {
		t.Error("the real-clock cell is not in the real-clock run alone")
	}
}

func TestLoadThroughput(t *testing.T) {
	content := resultsettest.Release("v1.85.0", "virtual") +
		"clock: real\n" +
		"BenchmarkReplay/strategy=good/mode=stream-2 100 1000000 ns/op 256.00 MB/s 400000 msgs/s 5000 B/op 20 allocs/op\n" +
		"BenchmarkReplay/strategy=good/mode=stream-2 100 1000000 ns/op 256.00 MB/s 410000 msgs/s 5000 B/op 20 allocs/op\n" +
		"BenchmarkTransport/net=tcp/load=raw-2 100 1000 ns/op\n" // not drawn, not an error
	d, err := resultset.Load([]string{resultsettest.Write(t, t.TempDir(), "grpc-v1.85.0.txt", content)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Runs) != 1 {
		t.Errorf("%d reconnect runs, want 1: throughput on the real clock is not a reconnect series", len(d.Runs))
	}
	if len(d.Throughput) != 1 || d.Throughput[0].Label != "v1.85.0" {
		t.Fatalf("throughput %+v", d.Throughput)
	}
	s := d.Throughput[0].Bench["Replay/strategy=good/mode=stream"]
	if got := s.Values("msgs/s"); len(got) != 2 || got[1] != 410000 {
		t.Errorf("msgs/s %v", got)
	}
	if got := s.Values("MB/s"); len(got) != 2 || got[0] != 256 {
		t.Errorf("MB/s %v, want the values as written", got)
	}
}

func TestLoadThroughputOnlyFile(t *testing.T) {
	// make bench-throughput style: a file of BenchmarkReplay lines alone,
	// beside the reconnect results.
	dir := t.TempDir()
	d, err := resultset.Load([]string{
		resultsettest.Write(t, dir, "grpc-v1.85.0.txt", resultsettest.Release("v1.85.0", "virtual")),
		resultsettest.Write(t, dir, "grpc-v1.85.0.tput.txt", resultsettest.Config("v1.85.0", "go1.26.8", "real", "local")+
			"BenchmarkReplay/strategy=a/mode=stream-2 1 1000 ns/op\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Runs) != 1 || len(d.Throughput) != 1 {
		t.Errorf("%d runs and %d throughput releases, want 1 and 1", len(d.Runs), len(d.Throughput))
	}
}

func TestLoadTraces(t *testing.T) {
	dir := resultsettest.Folder(t)
	files, err := resultset.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := resultset.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	newest := d.Runs[len(d.Runs)-1]
	if ev := newest.Traces[resultset.NewCell("good", "crash", "idle")]; len(ev) != 12 || ev[1].Kind != "fault" {
		t.Errorf("trace of good/crash/idle: %v", ev)
	}
	if len(d.Runs[0].Traces) != 0 {
		t.Errorf("v1.40.1 has no trace file, got traces %v", d.Runs[0].Traces)
	}
}

func TestCountWeighsLinesByCycles(t *testing.T) {
	// With -matrix.cycles 4 a line's missed/op is a fraction of 4 cycles.
	content := resultsettest.Config("v1.85.0", "go1.26.8", "virtual", "local") +
		"BenchmarkReconnect/strategy=s/fault=crash/traffic=idle 4 1e9 recover-ns/op 0.25 missed/op\n" +
		"BenchmarkReconnect/strategy=s/fault=crash/traffic=idle 2 1e9 recover-ns/op 0.5 missed/op\n"
	d, err := resultset.Load([]string{resultsettest.Write(t, t.TempDir(), "grpc-v1.85.0.txt", content)})
	if err != nil {
		t.Fatal(err)
	}
	if k, n := d.Runs[0].Cells[resultset.NewCell("s", "crash", "idle")].Count("missed/op"); k != 2 || n != 6 {
		t.Errorf("missed %d/%d, want 2/6", k, n)
	}
}

func TestLoadBadInput(t *testing.T) {
	const good = "grpc: v1.85.0\ngo: go1.26.8\nclock: virtual\nlink: local\n"
	const line = "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 1 1 missed/op\n"
	for _, tc := range []struct {
		name, content string
		trace         string // a trace file beside it, if not empty
		want          string // the error names the file and line
	}{
		{"empty.txt", "", "", "empty.txt: no benchmark results in the file"},
		{"config-only.txt", good, "", "config-only.txt: no benchmark results in the file"},
		{"malformed.txt", good + "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 1 x missed/op\n", "", "malformed.txt:5: parsing measurement"},
		{"odd-fields.txt", good + "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 1 1\n", "", "odd-fields.txt:5: "},
		{"nogrpc.txt", "go: go1\nclock: virtual\nlink: local\n" + line, "", `nogrpc.txt:4: Reconnect/strategy=a/fault=crash/traffic=idle: configuration lacks grpc (every result needs grpc, go, clock, link, as make bench writes them)`},
		{"badgrpc.txt", "grpc: 1.85\ngo: go1\nclock: virtual\nlink: local\n" + line, "", `badgrpc.txt:5: Reconnect/strategy=a/fault=crash/traffic=idle: configuration grpc is "1.85"`},
		{"noclock.txt", "grpc: v1.85.0\ngo: go1\n" + line, "", "noclock.txt:3: Reconnect/strategy=a/fault=crash/traffic=idle: configuration lacks clock, link"},
		{"badclock.txt", "grpc: v1.85.0\ngo: go1\nclock: fake\nlink: local\n" + line, "", `badclock.txt:5: Reconnect/strategy=a/fault=crash/traffic=idle: configuration clock is "fake", want virtual or real`},
		{"grpc-v1.41.0.txt", good + line, "", "grpc-v1.41.0.txt:5: Reconnect/strategy=a/fault=crash/traffic=idle: configuration grpc is v1.85.0 but the file is named for v1.41.0"},
		{"two-go.txt", good + line + "go: go1.23.12\n" + line, "", "two-go.txt:7: Reconnect/strategy=a/fault=crash/traffic=idle: configuration go is go1.23.12 but line 5 says go1.26.8: a results file holds one release, toolchain and link"},
		{"two-links.txt", good + line + "link: wan\n" + line, "", "two-links.txt:7: Reconnect/strategy=a/fault=crash/traffic=idle: configuration link is wan but line 5 says local"},
		{"nogo.txt", "grpc: v1.85.0\nclock: virtual\nlink: local\n" + line, "", "nogo.txt:4: Reconnect/strategy=a/fault=crash/traffic=idle: configuration lacks go"},
		{"noname.txt", good + "BenchmarkReconnect/strategy=a 1 1 missed/op\n", "", "noname.txt:5: benchmark Reconnect/strategy=a lacks key fault (a reconnect cell has strategy, fault, traffic, downtime, quiet, client, resolver, backends, policy)"},
		// Values no run writes, which would draw nonsense (found by FuzzLoad).
		{"zero-iters.txt", good + "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 0 1 missed/op\n", "", "zero-iters.txt:5: Reconnect/strategy=a/fault=crash/traffic=idle: iteration count 0: want at least 1"},
		{"negative-iters.txt", good + "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle -6 1 missed/op\n", "", "negative-iters.txt:5: Reconnect/strategy=a/fault=crash/traffic=idle: iteration count -6"},
		{"nan.txt", good + "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 1 NaN recover-ns/op\n", "", "nan.txt:5: Reconnect/strategy=a/fault=crash/traffic=idle: recover-ns/op NaN: want a finite number, at least 0"},
		{"inf.txt", good + "BenchmarkReplay/strategy=a/mode=stream 1 +Inf msgs/s\n", "", "inf.txt:5: Replay/strategy=a/mode=stream: msgs/s +Inf: want a finite number"},
		{"negative.txt", good + "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 1 -1e9 recover-ns/op\n", "", "negative.txt:5: Reconnect/strategy=a/fault=crash/traffic=idle: recover-ns/op -1e+09: want a finite number, at least 0"},
		{"fraction.txt", good + "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 2 1.5 missed/op\n", "", "fraction.txt:5: Reconnect/strategy=a/fault=crash/traffic=idle: missed/op 1.5: want a fraction of the cycles, 0 to 1"},
		{"long.txt", good + line + strings.Repeat("x", 1<<16) + "\n", "", "long.txt:6: line longer than 65535 bytes: not a results line"},
		{"longtrace.txt", good + line, "# trace\n" + strings.Repeat("x", 1<<20) + "\n", "longtrace.trace:2: line longer than 1048575 bytes: not a trace event"},
		{"badtrace.txt", good + line, "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle\tsoon\tfault\tcrash\n", "badtrace.trace:1: time \"soon\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := resultsettest.Write(t, dir, tc.name, tc.content)
			if tc.trace != "" {
				resultsettest.Write(t, dir, strings.TrimSuffix(tc.name, ".txt")+".trace", tc.trace)
			}
			_, err := resultset.Load([]string{p})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), dir) {
				t.Errorf("error %v does not name the file's path", err)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "grpc-v1.85.0.txt")
		if _, err := resultset.Load([]string{p}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("error %v, want one naming %s", err, p)
		}
	})
	t.Run("no results files", func(t *testing.T) {
		if _, err := resultset.Files(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no results files") {
			t.Errorf("error %v", err)
		}
		if _, err := resultset.Files(filepath.Join(t.TempDir(), "nowhere")); err == nil || !strings.Contains(err.Error(), "nowhere") {
			t.Errorf("error %v", err)
		}
	})
}

func TestFindRun(t *testing.T) {
	dir := t.TempDir()
	odd := strings.Replace(resultsettest.Release("v1.85.0", "virtual"), "clock: virtual", "clock: real", 1)
	d, err := resultset.Load([]string{
		resultsettest.Write(t, dir, "a.txt", resultsettest.Release("v1.41.0", "virtual")),
		resultsettest.Write(t, dir, "b.txt", resultsettest.Release("v1.85.0", "virtual")),
		resultsettest.Write(t, dir, "c.txt", odd),
		resultsettest.Write(t, dir, "d.txt", resultsettest.Release("v1.40.1", "virtual")),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, want string }{
		{"", "v1.85.0"}, // the newest of the main series, not the real-clock one
		{"v1.41.0", "v1.41.0"},
		{"v1.85.0", "v1.85.0"},
		{"v1.85.0 (real)", "v1.85.0 (real)"},
	} {
		r, err := d.FindRun(tc.name)
		if err != nil || r.Label != tc.want {
			t.Errorf("findRun(%q) = %v, %v; want %s", tc.name, r, err, tc.want)
		}
	}
	if _, err := d.FindRun("v9.9.9"); err == nil || !strings.Contains(err.Error(), `release "v9.9.9" is not in the results (have: v1.40.1, v1.41.0, v1.85.0, v1.85.0 (real))`) {
		t.Errorf("unknown release: %v", err)
	}
}

func runLabels(runs []*resultset.Run) []string {
	labels := make([]string, len(runs))
	for i, r := range runs {
		labels[i] = r.Label
	}
	return labels
}

// TestConditions loads cells measured under several conditions, one of
// them not applicable to the release, and older lines without the newer
// keys: the set lists every value, Only keeps the cells of one set of
// conditions, and the inapplicable cell is neither a miss nor missing.
func TestConditions(t *testing.T) {
	content := resultsettest.Config("v1.50.0", "go1.26.8", "virtual", "local") +
		"BenchmarkReconnect/strategy=s/fault=crash/traffic=idle 1 1e9 recover-ns/op 0 missed/op\n" +
		"BenchmarkReconnect/strategy=s/fault=crash/traffic=idle/downtime=30s/quiet=45m0s/client=dial 1 1 missed/op\n" +
		"BenchmarkReconnect/strategy=s/fault=crash/traffic=idle/downtime=1s/quiet=2s/client=newclient 1 1 inapplicable/op\n" +
		"BenchmarkReconnect/strategy=s/fault=crash/traffic=idle/resolver=dns/backends=3/policy=round_robin 1 0 missed/op 0.25 failed-rpcs/op 3e9 all-ready-ns/op 0 unready/op\n"
	d, err := resultset.Load([]string{resultsettest.Write(t, t.TempDir(), "grpc-v1.50.0.txt", content)})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(d.Downtimes, d.Quiets, d.Clients); got != "[1s 30s] [2s 45m0s] [dial newclient]" {
		t.Errorf("downtimes, quiets, clients = %s", got)
	}
	pf := func(k resultset.Conditions) resultset.Conditions {
		k.Resolver, k.Backends, k.Policy = "passthrough", 1, "pick_first"
		return k
	}
	want := []resultset.Conditions{
		pf(resultset.Conditions{Downtime: time.Second, Quiet: 2 * time.Second, Client: "dial"}),
		pf(resultset.Conditions{Downtime: time.Second, Quiet: 2 * time.Second, Client: "newclient"}),
		pf(resultset.Conditions{Downtime: 30 * time.Second, Quiet: 45 * time.Minute, Client: "dial"}),
		{Downtime: time.Second, Quiet: 2 * time.Second, Client: "dial", Resolver: "dns", Backends: 3, Policy: "round_robin"},
	}
	if got := d.AllConditions(); !reflect.DeepEqual(got, want) {
		t.Errorf("AllConditions() = %v, want %v", got, want)
	}
	// Load's Cell is in the conditions of names without the newer keys.
	if s := d.Runs[0].Cells[d.Cell("s", "crash", "idle")]; s == nil || s.Inapplicable() {
		t.Errorf("the old line's cell: %+v", s)
	}
	for _, tc := range []struct {
		k            resultset.Conditions
		missed, of   int
		inapplicable bool
	}{
		{want[0], 0, 1, false},
		{want[1], 0, 0, true}, // neither missed nor recovered
		{want[2], 1, 1, false},
		{want[3], 0, 1, false},
	} {
		only := d.Only(tc.k)
		if len(only.Runs) != 1 || len(only.Runs[0].Cells) != 1 {
			t.Fatalf("Only(%v): %d runs", tc.k, len(only.Runs))
		}
		s := only.Runs[0].Cells[only.Cell("s", "crash", "idle")]
		if k, n := s.Count(resultset.UnitMissed); k != tc.missed || n != tc.of || s.Inapplicable() != tc.inapplicable {
			t.Errorf("Only(%v): missed %d/%d, inapplicable %v; want %d/%d, %v", tc.k, k, n, s.Inapplicable(), tc.missed, tc.of, tc.inapplicable)
		}
	}
	if got := want[3].String(); got != "downtime 1s, quiet 2s, dial, dns, 3 backends, round_robin" {
		t.Errorf("String() = %q", got)
	}
	if len(d.Runs[0].Cells) != 4 {
		t.Errorf("Only changed the set it was called on: %d cells", len(d.Runs[0].Cells))
	}
}
