package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/resultset"
)

// testRelease is the release of the module's own go.mod: its module files
// need no download.
const testRelease = "v1.85.0"

// syncBuffer is a log that cells running in parallel can share.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tinyRun is a runConfig for one release, one fault and one traffic mode
// with short cycles, writing into a fresh results folder.
func tinyRun(t *testing.T, clock bench.Clock, strategies ...string) (*runConfig, *syncBuffer) {
	t.Helper()
	bin := benchBinary(t)
	t.Chdir(moduleRoot) // the module root, where the runner builds
	m := bench.DefaultMatrix()
	m.Strategies, m.Faults, m.Traffic, m.Count, m.Clock = strategies, []string{"crash"}, []bench.Traffic{bench.Busy}, 1, clock
	m.Downtimes, m.Quiets = []time.Duration{100 * time.Millisecond}, []time.Duration{100 * time.Millisecond}
	log := &syncBuffer{}
	return &runConfig{
		releases: []string{testRelease}, goVersion: runtime.Version(), matrix: m, link: "local",
		results: t.TempDir(), shard: shard{1, 1}, jobs: 2, noThroughput: true, rounds: 1, log: log,
		extra:    []string{"-matrix.settle=100ms", "-matrix.deadline=3s"},
		prebuilt: map[string]string{testRelease: bin},
	}, log
}

// TestMisbehavingStrategies runs, in the bench test binary, strategies
// that panic in each of their hooks, deadlock inside the bubble, never
// return or spin, beside one that behaves. Each that cannot be measured
// is a failed cell whose report gives the reason and a stack excerpt
// pointing at the strategy's code; the spinning one is measured on the
// real clock; the behaving one is measured; and the release's results
// keep every cell that was measured.
func TestMisbehavingStrategies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bench test binary")
	}
	c, log := tinyRun(t, bench.Virtual, "watcher",
		"misbehave-panic-options", "misbehave-panic-dial", "misbehave-panic-watch",
		"misbehave-deadlock", "misbehave-hang", "misbehave-spin")
	c.extra = append(c.extra, "-matrix.misbehave", "-matrix.stall=2s")

	defer func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("log:\n%s", log)
		}
	}()
	err := c.runAll(context.Background())
	if err == nil || !strings.Contains(err.Error(), "1 of 1 releases failed: "+testRelease) {
		t.Fatalf("runAll = %v, want the release to fail", err)
	}
	out := log.String()
	cell := func(s string) string {
		return "Reconnect/strategy=" + s + "/fault=crash/traffic=busy/downtime=100ms/quiet=100ms/client=dial/resolver=passthrough/backends=1/policy=pick_first"
	}
	for _, tc := range []struct{ strategy, reason, frame string }{
		{"misbehave-panic-options", "panic: misbehave: DialOptions panics", `bench\.misbehaving\.DialOptions`},
		{"misbehave-panic-dial", "panic: misbehave: the dialer panics", `bench\.misbehaving\.DialOptions\.func1`},
		{"misbehave-panic-watch", "panic: misbehave: Watch panics", `bench\.misbehaving\.Watch`},
		{"misbehave-deadlock", "strategy goroutines still running 10s after the cycle ended", `bench\.misbehaving\.Watch`},
		{"misbehave-hang", "the cycle did not end within", `bench\.misbehaving\.DialOptions`},
	} {
		// The cell's report: its FAILED line and the indented excerpt
		// under it.
		re := regexp.MustCompile(`(?m)^reconnbench: gRPC-Go ` + testRelease + `: ` + regexp.QuoteMeta(cell(tc.strategy)) +
			` FAILED: exit status \d+: ([^\n]*)\n((?:    [^\n]*\n)+)`)
		m := re.FindStringSubmatch(out)
		if m == nil {
			t.Errorf("%s: no FAILED report with a stack excerpt", tc.strategy)
			continue
		}
		if !strings.Contains(m[1], tc.reason) {
			t.Errorf("%s: reason %q, want %q", tc.strategy, m[1], tc.reason)
		}
		if !regexp.MustCompile(tc.frame).MatchString(m[2]) || !strings.Contains(m[2], "misbehave_test.go:") {
			t.Errorf("%s: the excerpt does not point at the strategy (%s in misbehave_test.go):\n%s", tc.strategy, tc.frame, m[2])
		}
	}
	// The run says why cells run again alone, and which.
	if !regexp.MustCompile(`the process of \d+ cells failed \(exit status \d+: panic: misbehave: DialOptions panics.*\); running alone the cells it had not finished: .*` +
		regexp.QuoteMeta(cell("misbehave-panic-options"))).MatchString(out) {
		t.Errorf("the log does not say which cells run again alone after a process died")
	}
	if !strings.Contains(out, cell("misbehave-spin")+": 1 of its 1 runs on the real clock") {
		t.Errorf("the spinning strategy was not measured on the real clock")
	}

	// The cells that ran to the end are kept, in the release's file.
	data, err := os.ReadFile(c.resultPath(testRelease))
	if err != nil {
		t.Fatal(err)
	}
	results := string(data)
	for _, s := range []string{"watcher", "misbehave-spin"} {
		if !strings.Contains(results, "Benchmark"+cell(s)+" ") {
			t.Errorf("results lack the %s cell:\n%s", s, results)
		}
	}
	if strings.Count(results, "BenchmarkReconnect/") != 2 {
		t.Errorf("results have %d cells, want the 2 that ran to the end:\n%s", strings.Count(results, "BenchmarkReconnect/"), results)
	}
	if !strings.Contains(results, "clock: real\n\nBenchmark"+cell("misbehave-spin")) {
		t.Errorf("the spinning cell's results do not say clock: real:\n%s", results)
	}
	// The failed cells are what a resumed run would redo.
	kept, _ := filepath.Glob(filepath.Join(c.partialDir(testRelease), "*.txt"))
	if len(kept) != 2 {
		t.Errorf("partial folder holds %v, want the two finished cells", kept)
	}
}

// TestStalledCycles runs a strategy that spins in some cycles of its
// process (misbehave-spin-some) and one that spins in every cycle, six
// runs a cell. The
// cycles that stall the virtual clock are measured on the real clock and
// the others on the virtual one: a process bears two stalled bubbles, so
// the first cell takes two processes. The second makes no run on the
// virtual clock in its first process, and runs the rest on the real
// clock.
func TestStalledCycles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bench test binary")
	}
	c, log := tinyRun(t, bench.Virtual, "misbehave-spin-some", "misbehave-spin")
	c.matrix.Count = 6
	c.extra = append(c.extra, "-matrix.misbehave", "-matrix.stall=1s")
	defer func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("log:\n%s", log)
		}
	}()
	if err := c.runAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	rs, err := resultset.ReadFile(c.resultPath(testRelease))
	if err != nil {
		t.Fatal(err)
	}
	clocks := map[string][]string{}
	for _, r := range rs {
		if r.Name.Base == resultset.Reconnect {
			clocks[r.Name.Get("strategy")] = append(clocks[r.Name.Get("strategy")], r.Config("clock"))
		}
	}
	for s, want := range map[string][]string{
		"misbehave-spin-some": {"real", "virtual", "real", "virtual", "real", "virtual"},
		"misbehave-spin":      {"real", "real", "real", "real", "real", "real"},
	} {
		if got := clocks[s]; !slices.Equal(got, want) {
			t.Errorf("%s: runs on clocks %v, want %v", s, got, want)
		}
	}
	out := log.String()
	for _, line := range []string{
		"misbehave-spin-some/fault=crash/traffic=busy/downtime=100ms/quiet=100ms/client=dial/resolver=passthrough/backends=1/policy=pick_first: 3 of its 6 runs on the real clock",
		"misbehave-spin/fault=crash/traffic=busy/downtime=100ms/quiet=100ms/client=dial/resolver=passthrough/backends=1/policy=pick_first stalled the virtual clock in every run a process tried (a busy loop); running the 4 runs left on the real clock",
		"misbehave-spin/fault=crash/traffic=busy/downtime=100ms/quiet=100ms/client=dial/resolver=passthrough/backends=1/policy=pick_first: 6 of its 6 runs on the real clock",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("the log does not say %q", line)
		}
	}
}

// TestTCPCell runs a cell on real TCP through the runner, as make
// validate does: in a process of its own, on the real clock, which the
// run does not mistake for a stalled virtual one.
func TestTCPCell(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bench test binary")
	}
	c, log := tinyRun(t, bench.Real, "watcher")
	c.net = bench.TCP
	if err := c.runAll(context.Background()); err != nil {
		t.Fatalf("%v; log:\n%s", err, log)
	}
	rs, err := resultset.ReadFile(c.resultPath(testRelease))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Config("net") != "tcp" || rs[0].Config("clock") != "real" {
		t.Errorf("%d results, want 1 with net tcp and clock real", len(rs))
	}
	if strings.Contains(log.String(), "virtual clock") {
		t.Errorf("the log speaks of a virtual clock:\n%s", log)
	}
}
