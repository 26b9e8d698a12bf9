package main

import (
	"strings"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/realnet"
	"github.com/reconnbench/reconnbench/resultset"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want shard
		err  string
	}{
		{"", shard{1, 1}, ""},
		{"1/1", shard{1, 1}, ""},
		{"3/4", shard{3, 4}, ""},
		{"0/4", shard{}, `SHARD "0/4": want i/n with 1 <= i <= n`},
		{"5/4", shard{}, `SHARD "5/4"`},
		{"2", shard{}, `SHARD "2"`},
		{"a/b", shard{}, `SHARD "a/b"`},
		{"1/0", shard{}, `SHARD "1/0"`},
	} {
		got, err := parseShard(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseShard(%q) = %v, want error %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestShardsPartition checks that the shards of a run are disjoint and
// together cover every unit of work exactly once.
func TestShardsPartition(t *testing.T) {
	rels := []string{"v1.30.0", "v1.41.0", "v1.85.0"}
	strategies := []string{"a", "b", "c", "d", "e"}
	for n := 1; n <= 7; n++ {
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			c := &runConfig{releases: rels, shard: shard{i, n}, matrix: bench.Matrix{Strategies: strategies}}
			for _, p := range c.plan() {
				for _, s := range p.strategies {
					seen[p.release+"/"+s]++
				}
			}
		}
		if len(seen) != len(rels)*len(strategies) {
			t.Errorf("n=%d: %d units covered, want %d", n, len(seen), len(rels)*len(strategies))
		}
		for u, k := range seen {
			if k != 1 {
				t.Errorf("n=%d: %s run by %d shards", n, u, k)
			}
		}
	}
}

func TestResultPath(t *testing.T) {
	for _, tc := range []struct {
		c    *runConfig
		want string
	}{
		{&runConfig{link: "local", matrix: bench.Matrix{Clock: bench.Virtual}, shard: shard{1, 1}}, "r/grpc-v1.2.3.txt"},
		{&runConfig{toolchain: "go1.23", goVersion: "go1.23.12", link: "local", matrix: bench.Matrix{Clock: bench.Real}, shard: shard{1, 1}}, "r/grpc-v1.2.3.go1.23.12.real.txt"},
		{&runConfig{link: "wan", matrix: bench.Matrix{Clock: bench.Virtual}, shard: shard{2, 4}}, "r/grpc-v1.2.3.wan.shard-2-of-4.txt"},
		{&runConfig{link: "local", net: bench.TCP, matrix: bench.Matrix{Clock: bench.Real}, shard: shard{1, 1}}, "r/grpc-v1.2.3.tcp.txt"},
	} {
		tc.c.results = "r"
		if got := tc.c.resultPath("v1.2.3"); got != tc.want {
			t.Errorf("resultPath = %s, want %s", got, tc.want)
		}
		if got := resultset.ReleaseOfFile(tc.want); got != "v1.2.3" {
			t.Errorf("ReleaseOfFile(%s) = %s", tc.want, got)
		}
	}
}

func TestToolchainNames(t *testing.T) {
	for name, ok := range map[string]bool{"go1.23.12": true, "go1.25": true, "go1.26rc1": true, "1.23": false, "go1": false, "local": false, "go1.23.x": false} {
		if toolchainPattern.MatchString(name) != ok {
			t.Errorf("toolchain %q accepted = %v, want %v", name, !ok, ok)
		}
	}
	for v, want := range map[string]bool{"go1.24.13": false, "go1.25": true, "go1.25.0": true, "go1.27.4": true, "go1.21.13": false} {
		if hasSynctest(v) != want {
			t.Errorf("hasSynctest(%s) = %v", v, !want)
		}
	}
}

func TestDiffer(t *testing.T) {
	p := func(vals ...float64) *probe { return &probe{values: vals} }
	for _, tc := range []struct {
		a, b *probe
		want bool
	}{
		{p(0, 0, 0, 0, 0, 0), p(1, 1, 1, 1, 1, 1), true},
		{p(0, 0, 0, 0, 0, 0), p(0, 0, 0, 0, 0, 0), false},
		{p(1.0, 1.1, 0.9, 1.2, 1.0, 1.1), p(1.1, 1.0, 1.0, 1.2, 0.9, 1.1), false},
		{p(), p(1e9, 1e9), true}, // the event happens in one and never in the other
		{p(), p(), false},
		{p(0, 1), p(1, 0), false}, // too few runs to tell
		// A throughput probe is judged against good as measured beside
		// it, round by round, not against good's probe.
		{p(9, 9, 9, 9, 9, 9), &probe{values: []float64{5, 5.1, 4.9, 5, 5.2, 4.8}, ref: []float64{5, 5.2, 4.8, 4.9, 5.1, 5}}, false},
		{p(4, 4, 4, 4, 4, 4), &probe{values: []float64{4, 8.1, 3.9, 4, 8.2, 3.8}, ref: []float64{5, 9, 4.9, 5, 9.2, 4.8}}, true},
	} {
		var b bisectConfig
		if got := b.differ(tc.a, tc.b); got != tc.want {
			t.Errorf("differ(%v, %v beside %v) = %v, want %v", tc.a.values, tc.b.values, tc.b.ref, got, tc.want)
		}
	}
}

func TestTailBuffer(t *testing.T) {
	var b tailBuffer
	for i := 0; i < 40; i++ {
		b.Write([]byte("line\n"))
	}
	b.Write([]byte("last, unfinished"))
	lines := strings.Split(b.String(), "\n")
	if len(lines) != tailLines+1 || lines[len(lines)-1] != "last, unfinished" {
		t.Errorf("tail has %d lines ending %q", len(lines), lines[len(lines)-1])
	}
}

func TestWriteCompatTable(t *testing.T) {
	var b strings.Builder
	writeCompatTable(&b, []string{"go1.21.13", "go1.26.11"}, []string{"v1.30.0", "v1.85.0"}, map[string]map[string]compatCell{
		"go1.21.13": {"v1.30.0": {built: true, ran: true, clock: bench.Real}, "v1.85.0": {why: "it requires go >= 1.26.0"}},
		"go1.26.11": {"v1.30.0": {built: true, ran: true, clock: bench.Virtual}, "v1.85.0": {built: true, ran: true, clock: bench.Virtual}},
	})
	want := `| gRPC-Go | go1.21.13 | go1.26.11 |
|---|---|---|
| v1.30.0 | yes (real) | yes (virtual) |
| v1.85.0 | no: it requires go >= 1.26.0 | yes (virtual) |

- go1.21.13 runs 1 of 2 releases, v1.30.0 to v1.30.0
- go1.26.11 runs 2 of 2 releases, v1.30.0 to v1.85.0
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestPortsApart checks that tcp cells get distinct ports below the
// ephemeral range.
func TestPortsApart(t *testing.T) {
	c := &runConfig{}
	lo, hi := realnet.PortRange()
	seen := map[int]bool{}
	for range 500 {
		p := c.nextPort()
		if p < lo || p >= hi || seen[p] {
			t.Fatalf("port %d: want a fresh one in [%d, %d)", p, lo, hi)
		}
		seen[p] = true
	}
}

// TestProcessLimitFollowsDeadline checks that a real-clock process's
// wall-clock limit leaves room for a cycle that misses and waits out the
// deadline it was given (validate's -deadline), however long.
func TestProcessLimitFollowsDeadline(t *testing.T) {
	c := &runConfig{}
	cell := resultset.Cell{Strategy: "dialer", Fault: "crash", Traffic: "idle", Downtime: 30 * time.Second, Quiet: 2 * time.Second, Client: "dial"}
	for _, deadline := range []time.Duration{30 * time.Second, 10 * time.Minute} {
		m := bench.Matrix{Clock: bench.Real, Count: 2, Base: bench.Scenario{Deadline: deadline}}
		// Per cycle: the first replay, the quiet time, the downtime, the
		// deadline, teardown.
		need := time.Duration(m.Count) * (bench.DefaultSetup + cell.Quiet + cell.Downtime + deadline + 10*time.Second)
		if got := c.processLimit(m, []resultset.Cell{cell}); got < need {
			t.Errorf("deadline %v: a process of %d cycles may run %v, want at least %v", deadline, m.Count, got, need)
		}
	}
}

// TestProcessLimitBearsStalls: a virtual process that may measure stalled
// cycles on the real clock (RealOnStall) has room for as many real
// cycles as it may make, however short its virtual ones are.
func TestProcessLimitBearsStalls(t *testing.T) {
	c := &runConfig{}
	cell := resultset.Cell{Strategy: "watcher", Fault: "crash", Traffic: "rare", Downtime: 5 * time.Minute, Quiet: 2 * time.Second, Client: "dial"}
	m := bench.Matrix{Clock: bench.Virtual, Count: 6, RealOnStall: true}
	need := time.Duration(bench.MaxStalls) * (cell.Quiet + cell.Downtime + bench.DefaultSetup)
	if got := c.processLimit(m, []resultset.Cell{cell}); got < need {
		t.Errorf("a virtual process of %d cycles that may measure %d on the real clock may run %v, want at least %v", m.Count, bench.MaxStalls, got, need)
	}
}
