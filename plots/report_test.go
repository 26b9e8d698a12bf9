package plots

import (
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/resultset/resultsettest"
)

// load reads synthetic results files, one per release.
func load(t *testing.T, files map[string]string) *resultset.Set {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for name, content := range files {
		paths = append(paths, resultsettest.Write(t, dir, name, content))
	}
	d, err := resultset.Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCellText(t *testing.T) {
	var b strings.Builder
	b.WriteString(resultsettest.Config("v1.85.0", "go1.26.8", "virtual", "local"))
	for _, s := range []float64{1, 1.1, 1.2, 1.3, 1.4, 1.5} {
		b.WriteString(resultsettest.Line("all", "crash", "idle", s, 2))
		b.WriteString(resultsettest.Line("none", "crash", "idle", -1, 0))
	}
	for _, s := range []float64{1, 2, 3, -1, 4, -1} {
		b.WriteString(resultsettest.Line("some", "crash", "idle", s, 2))
	}
	// A cell that does not apply to the release, and one after a fault
	// that needed no replay: neither is a miss.
	b.WriteString("BenchmarkReconnect/strategy=na/fault=crash/traffic=idle 1 1 inapplicable/op\n")
	b.WriteString("BenchmarkReconnect/strategy=kept/fault=crash/traffic=idle 1 0 missed/op 0 undetected/op 1 dials/op 0 lost-msgs/op 1 spurious-replays/op\n")
	d := load(t, map[string]string{"grpc-v1.85.0.txt": b.String()})
	r := d.Runs[0]
	for _, tc := range []struct{ strategy, want string }{
		{"all", "1.25 s"},
		{"none", "missed"},
		{"some", "2.50 s, missed 2/6"},
		{"unmeasured", "–"},
		{"na", "n/a"},
		{"kept", "no replay needed"},
	} {
		if got := cellText(r.Cells[resultset.NewCell(tc.strategy, "crash", "idle")]); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.strategy, got, tc.want)
		}
	}
}

func TestFindings(t *testing.T) {
	var partial strings.Builder // v1.50.0: "good" misses 1 of 6 busy crash cycles, then recovers again
	partial.WriteString(resultsettest.Release("v1.50.0", "virtual"))
	partial.WriteString(resultsettest.Line("good", "crash", "busy", -1, 0))
	d := load(t, map[string]string{
		"grpc-v1.40.1.txt": resultsettest.Release("v1.40.1", "virtual"),
		"grpc-v1.41.0.txt": resultsettest.Release("v1.41.0", "virtual"),
		"grpc-v1.50.0.txt": partial.String(),
		"grpc-v1.85.0.txt": resultsettest.Release("v1.85.0", "virtual"),
	})
	got := findingsText(d)
	for _, want := range []string{
		"**bad** stops recovering at **v1.41.0** (its predecessor v1.40.1 recovered every cycle) in blackhole/idle and crash/idle (6/6 cycles missed in each); it misses every cycle on every later release measured, up to v1.85.0.",
		"**good** starts missing cycles at **v1.50.0** (its predecessor v1.41.0 recovered every cycle) in crash/busy (1/7 cycles missed); it recovers every cycle again at v1.85.0.",
		"No strategy recovers in every cycle of every fault, traffic mode and release.",
		"Fastest to recover from **crash** on v1.85.0, among the strategies that recovered every cycle of every traffic mode: **good**, median 1.25 s, 90th percentile 1.49 s.",
		"After a blackhole on v1.85.0, no strategy's client gives up the dead connection.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "**bad** never recovers") {
		t.Errorf("bad recovered before v1.41.0, yet a finding says it never does:\n%s", got)
	}
}

func TestFindingsKeepSeriesApart(t *testing.T) {
	real := strings.Replace(resultsettest.Release("v1.85.0", "virtual"), "clock: virtual", "clock: real", 1)
	d := load(t, map[string]string{
		"grpc-v1.40.1.txt":      resultsettest.Release("v1.40.1", "virtual"),
		"grpc-v1.85.0.txt":      resultsettest.Release("v1.85.0", "virtual"),
		"grpc-v1.85.0.real.txt": real,
	})
	got := findingsText(d)
	// The real-clock run is its own series of one release: it is not the
	// successor of v1.85.0 on the virtual clock.
	if !strings.Contains(got, "**bad** stops recovering at **v1.85.0** (its predecessor v1.40.1") {
		t.Errorf("virtual-clock onset missing:\n%s", got)
	}
	if strings.Contains(got, "(real)** (its predecessor") || strings.Contains(got, "predecessor v1.85.0") {
		t.Errorf("an onset crosses series:\n%s", got)
	}
	if !strings.Contains(got, "## go1.26.8, real clock, netsim, local link\n**bad** never recovers from blackhole/idle and crash/idle on v1.85.0 (real).") {
		t.Errorf("real-clock series findings missing:\n%s", got)
	}
}

// findingsText is the findings one a line, each series under a heading.
func findingsText(d *resultset.Set) string {
	var b strings.Builder
	for _, g := range findings(d) {
		b.WriteString("## " + g.series.Describe() + "\n" + strings.Join(g.items, "\n") + "\n")
	}
	return b.String()
}

func TestList(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
	} {
		if got := list(tc.words); got != tc.want {
			t.Errorf("list(%q) = %q, want %q", tc.words, got, tc.want)
		}
	}
}

// TestNotApplicableAndNoReplay: the report and the findings never count a
// cell that does not apply to the release as a miss, and after a fault
// that keeps the server's state they speak of spurious replays, not of
// recovery.
func TestNotApplicableAndNoReplay(t *testing.T) {
	var b strings.Builder
	b.WriteString(resultsettest.Config("v1.50.0", "go1.26.8", "virtual", "local"))
	for i := 0; i < 6; i++ {
		b.WriteString(resultsettest.Line("a", "crash", "idle", 1, 2))
		b.WriteString(resultsettest.Line("b", "crash", "idle", 2, 2))
		b.WriteString("BenchmarkReconnect/strategy=a/fault=rotate/traffic=idle 1 0 missed/op 0 undetected/op 1 dials/op 0 lost-msgs/op 1 spurious-replays/op\n")
		b.WriteString("BenchmarkReconnect/strategy=b/fault=rotate/traffic=idle 1 0 missed/op 0 undetected/op 1 dials/op 0 lost-msgs/op 0 spurious-replays/op\n")
	}
	b.WriteString("BenchmarkReconnect/strategy=a/fault=crash/traffic=idle/downtime=1s/quiet=2s/client=newclient 1 1 inapplicable/op\n")
	d := load(t, map[string]string{"grpc-v1.50.0.txt": b.String()})
	if got := restartFaults(d); strings.Join(got, ",") != "crash" {
		t.Errorf("restartFaults = %v, want crash alone", got)
	}
	got := findingsText(d)
	for _, want := range []string{
		"Recovering in every cycle of every fault, traffic mode and release: **a** and **b**.",
		"After **rotate** the server keeps its state, so no replay is needed; on v1.50.0, spurious replays per cycle (mean over traffic modes): **a** 1; none from **b**.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "No strategy recovers from **rotate**") {
		t.Errorf("findings speak of recovering from a fault that needs none:\n%s", got)
	}
	md := report{d: d}.markdown()
	if !strings.Contains(md, "| a | 1/1 |") || !strings.Contains(md, "| a | no replay needed |") {
		t.Errorf("report:\n%s", md)
	}
	// The newclient cell is under other conditions: Only keeps it apart.
	nc := d.Only(resultset.Conditions{Downtime: 1e9, Quiet: 2e9, Client: "newclient", Resolver: "passthrough", Backends: 1, Policy: "pick_first"})
	if md := (report{d: nc}).markdown(); !strings.Contains(md, "| a | n/a |") || !strings.Contains(md, "| a | 0/0 |") {
		t.Errorf("report of the newclient cells:\n%s", md)
	}
}

func TestWherePossibleSentences(t *testing.T) {
	// "good" recovers everywhere; "bad" misses idle cycles from v1.41.0,
	// where "good" recovers them.
	d := load(t, map[string]string{
		"grpc-v1.40.1.txt": resultsettest.Release("v1.40.1", "virtual"),
		"grpc-v1.41.0.txt": resultsettest.Release("v1.41.0", "virtual"),
	})
	got := strings.Join(wherePossibleSentences(d), "\n")
	for _, want := range []string{
		"**good** recovers in every cycle wherever any strategy recovers in every cycle: in each of its cells on each of 2 releases (8 cells measured; these results do not count spurious replays).",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("sentences lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "**bad**") {
		t.Errorf("bad misses where good recovers, and these results do not count spurious replays: no sentence for it, got:\n%s", got)
	}
}
