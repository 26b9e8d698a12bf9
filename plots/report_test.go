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
	d := load(t, map[string]string{"grpc-v1.85.0.txt": b.String()})
	r := d.Runs[0]
	for _, tc := range []struct{ strategy, want string }{
		{"all", "1.25 s"},
		{"none", "missed"},
		{"some", "2.50 s, missed 2/6"},
		{"unmeasured", "–"},
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
