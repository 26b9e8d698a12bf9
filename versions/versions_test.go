package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/realnet"
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

func TestLatestPatches(t *testing.T) {
	got := latestPatches([]string{"v1.30.0", "v1.40.0", "v1.40.1", "v1.41.0", "v1.9.2", "v1.10.0"})
	want := "v1.9.2 v1.10.0 v1.30.0 v1.40.1 v1.41.0"
	if strings.Join(got, " ") != want {
		t.Errorf("latestPatches = %v, want %s", got, want)
	}
}

func TestCheckReleaseFormat(t *testing.T) {
	rels := []string{"v1.30.0", "v1.85.0"}
	for _, tc := range []struct{ v, want string }{
		{"1.65.0", `"1.65.0" is not a release version: want a full semantic version such as v1.65.0`},
		{"v1.65", `"v1.65" is not a release version`},
		{"v1.29.1", "gRPC-Go v1.29.1 is older than v1.30.0, the oldest release the suite supports"},
	} {
		if err := checkRelease(tc.v, rels); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("checkRelease(%q) = %v, want %q", tc.v, err, tc.want)
		}
	}
	if err := checkRelease("v1.85.0", rels); err != nil {
		t.Errorf("checkRelease(v1.85.0) = %v", err)
	}
}

// fakeVersions makes a versions folder with module files for rels and a
// default set.
func fakeVersions(t *testing.T, rels []string, def string) string {
	d := t.TempDir()
	for _, v := range rels {
		os.MkdirAll(filepath.Join(d, v), 0o755)
		os.WriteFile(filepath.Join(d, v, "go.mod"), []byte("module x\n"), 0o644)
	}
	os.WriteFile(filepath.Join(d, "default.txt"), []byte(def), 0o644)
	return d
}

func TestSelectReleases(t *testing.T) {
	d := fakeVersions(t, []string{"v1.30.0", "v1.9.0", "v1.41.0", "v1.85.0"}, "# why\nv1.85.0  # newest\nv1.30.0\n")
	for _, tc := range []struct{ spec, want, err string }{
		{"", "v1.30.0 v1.85.0", ""},
		{"default", "v1.30.0 v1.85.0", ""},
		{"all", "v1.9.0 v1.30.0 v1.41.0 v1.85.0", ""},
		{"v1.85.0 1.41.0,v1.41.0", "v1.41.0 v1.85.0", ""},
		{"v1.50.0", "", `unknown gRPC-Go release "v1.50.0" in VERSIONS: valid are default, all, or releases with module files (v1.9.0 ... v1.85.0`},
	} {
		got, err := selectReleases(d, tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("selectReleases(%q) = %v, want error %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("selectReleases(%q) = %v, %v; want %s", tc.spec, got, err, tc.want)
		}
	}
}

// TestDefaultSetIsTracked checks the committed default set: every release
// in it has module files, and it spans the oldest and newest tracked.
func TestDefaultSetIsTracked(t *testing.T) {
	def, err := defaultSet(".")
	if err != nil {
		t.Fatal(err)
	}
	have, err := tracked(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range def {
		if !contains(have, v) {
			t.Errorf("default release %s has no module files", v)
		}
	}
	if len(def) == 0 || def[0] != have[0] || def[len(def)-1] != have[len(have)-1] {
		t.Errorf("default set %v should run from the oldest (%s) to the newest (%s) tracked release", def, first(have), last(have))
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
		if got := bench.ReleaseOfFile(tc.want); got != "v1.2.3" {
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
	} {
		if got := differ(tc.a, tc.b); got != tc.want {
			t.Errorf("differ(%v, %v) = %v, want %v", tc.a.values, tc.b.values, got, tc.want)
		}
	}
}

func TestMergeResults(t *testing.T) {
	d := t.TempDir()
	a := filepath.Join(d, "a.txt")
	b := filepath.Join(d, "b.txt")
	os.WriteFile(a, []byte("grpc: v1\n\nBenchmarkReconnect/strategy=x 1 2 missed/op\n"), 0o644)
	os.WriteFile(b, []byte("grpc: v1\n\nBenchmarkReconnect/strategy=y 1 0 missed/op\n"), 0o644)
	out := filepath.Join(d, "out.txt")
	if err := mergeResults(out, []string{a, b}, keepAll); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	if got := string(data); strings.Count(got, "grpc: v1") != 1 || !strings.Contains(got, "strategy=x") || !strings.Contains(got, "strategy=y") {
		t.Errorf("merged file:\n%s", got)
	}

	bad := filepath.Join(d, "bad.txt")
	os.WriteFile(bad, []byte("BenchmarkX 1 notanumber ns/op\n"), 0o644)
	err := mergeResults(filepath.Join(d, "out2.txt"), []string{a, bad}, keepAll)
	if err == nil || !strings.Contains(err.Error(), "bad.txt:1") {
		t.Errorf("merging a malformed file: %v, want an error naming bad.txt:1", err)
	}
	if _, err := os.Stat(filepath.Join(d, "out2.txt")); !os.IsNotExist(err) {
		t.Error("a failed merge left a results file")
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
