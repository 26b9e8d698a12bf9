//go:build go1.25

package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"
	"google.golang.org/grpc"

	"github.com/reconnbench/reconnbench/replay"
)

func values(r *benchfmt.Result) map[string]float64 {
	m := map[string]float64{}
	for _, v := range r.Values {
		m[v.Unit] = v.Value
	}
	return m
}

func TestResult(t *testing.T) {
	env := Env{GRPC: "v1.2.3", Go: "go1.99", Clock: Virtual}
	sc := Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle}
	recovered := func(recover, detect time.Duration, dials int) Cycle {
		return Cycle{Recovered: true, Recover: recover, Detected: true, Detect: detect, Restart: time.Second, Dials: dials, Tally: replay.Tally{Replays: 1}}
	}
	missed := Cycle{Dials: 4, Restart: 2 * time.Second, Tally: replay.Tally{Lost: 1000}}
	for _, tc := range []struct {
		name   string
		cycles []Cycle
		want   map[string]float64
	}{
		{"one recovered", []Cycle{recovered(2*time.Second, 0, 3)}, map[string]float64{
			UnitRecover: 2e9, UnitMissed: 0, UnitDetect: 0, UnitUndetected: 0, UnitRestart: 1e9, UnitDials: 3, UnitLost: 0, UnitDuplicated: 0, UnitReplays: 1,
		}},
		// Latencies average over the cycles where the event happened only.
		{"one of two missed", []Cycle{recovered(time.Second, time.Second, 2), missed}, map[string]float64{
			UnitRecover: 1e9, UnitMissed: 0.5, UnitDetect: 1e9, UnitUndetected: 0.5, UnitRestart: 1.5e9, UnitDials: 3, UnitLost: 500, UnitDuplicated: 0, UnitReplays: 0.5,
		}},
		// Nothing recovered: no latency at all, never a zero.
		{"all missed", []Cycle{missed, missed}, map[string]float64{
			UnitMissed: 1, UnitUndetected: 1, UnitRestart: 2e9, UnitDials: 4, UnitLost: 1000, UnitDuplicated: 0, UnitReplays: 0,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Result(env, sc, tc.cycles)
			if string(r.Name) != "Reconnect/strategy=watcher/scenario=crash/traffic=idle" || r.Iters != len(tc.cycles) {
				t.Errorf("name %q, iters %d", r.Name, r.Iters)
			}
			got := values(r)
			if len(got) != len(tc.want) {
				t.Errorf("units %v, want %v", got, tc.want)
			}
			for unit, want := range tc.want {
				if v, ok := got[unit]; !ok || v != want {
					t.Errorf("%s = %v (present %v), want %v", unit, v, ok, want)
				}
			}
			for key, want := range map[string]string{"grpc": "v1.2.3", "go": "go1.99", "clock": "virtual", "link": "local", "downtime": "1s", "log": "1000x256B"} {
				if got := r.GetConfig(key); got != want {
					t.Errorf("config %s = %q, want %q", key, got, want)
				}
			}
		})
	}
}

// TestMatrixRoundTrip runs a small matrix and reads its output back with
// benchfmt, as benchstat does: every cell, every run, every unit.
func TestMatrixRoundTrip(t *testing.T) {
	mx := Matrix{Strategies: []string{"dialer", "watcher"}, Faults: []string{"crash"}, Traffic: []Traffic{Idle}, Count: 2, Cycles: 1, Clock: Virtual}
	if err := mx.Validate(); err != nil {
		t.Fatal(err)
	}
	var out, progress, traces bytes.Buffer
	mx.Traces = &traces
	env := Env{GRPC: GRPCVersion(), Go: GoVersion(), Clock: Virtual}
	if failed := mx.Run(t, env, benchfmt.NewWriter(&out), &progress); len(failed) > 0 {
		t.Fatal(failed)
	}
	r := benchfmt.NewReader(&out, "matrix.txt")
	runs := map[string]int{}
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("unexpected record %v", r.Result())
		}
		runs[string(res.Name.Full())]++
		if res.GetConfig("grpc") != GRPCVersion() || res.GetConfig("clock") != "virtual" {
			t.Errorf("config grpc=%q clock=%q", res.GetConfig("grpc"), res.GetConfig("clock"))
		}
		units := map[string]bool{}
		for _, v := range res.Values {
			unit := v.OrigUnit // set only where the reader rescaled the unit
			if unit == "" {
				unit = v.Unit
			}
			units[unit] = true
		}
		for _, u := range []string{UnitMissed, UnitUndetected, UnitDials, UnitLost, UnitDuplicated, UnitReplays} {
			if !units[u] {
				t.Errorf("%s lacks %s", res.Name, u)
			}
		}
		if m, _ := res.Value("missed/op"); m == 0 && !units[UnitRecover] {
			t.Errorf("%s recovered but has no %s", res.Name, UnitRecover)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	for _, sc := range mx.Scenarios() {
		if runs["Reconnect/"+strings.TrimPrefix(sc.Name(), "Reconnect/")] != 2 {
			t.Errorf("%s: %d runs, want 2; have %v", sc.Name(), runs[sc.Name()], runs)
		}
	}
	// One traced cycle per cell, named as in the results.
	cells, err := ReadTraces(&traces, "matrix.trace")
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != len(mx.Scenarios()) {
		t.Fatalf("%d traced cells, want %d", len(cells), len(mx.Scenarios()))
	}
	for i, sc := range mx.Scenarios() {
		if want := "Benchmark" + sc.Name(); cells[i].Cell != want {
			t.Errorf("trace %d is of %q, want %q", i, cells[i].Cell, want)
		}
		faults := 0
		for _, e := range cells[i].Events {
			if e.Kind == EventFault {
				faults++
			}
		}
		if faults != 1 {
			t.Errorf("%s: trace has %d fault events, want the one of its first cycle", sc.Name(), faults)
		}
	}
	if got := strings.Count(progress.String(), "\n"); got != 2 {
		t.Errorf("%d progress lines, want one per cell:\n%s", got, progress.String())
	}
}

func TestMatrixValidate(t *testing.T) {
	ok := DefaultMatrix()
	for _, tc := range []struct {
		name   string
		change func(*Matrix)
		want   string
	}{
		{"strategy", func(m *Matrix) { m.Strategies = []string{"dialer", "pigeon"} }, `unknown strategy "pigeon" (valid: `},
		{"fault", func(m *Matrix) { m.Faults = []string{"flood"} }, `unknown fault "flood" (valid: blackhole, crash, flap, graceful)`},
		{"traffic", func(m *Matrix) { m.Traffic = []Traffic{"heavy"} }, `unknown traffic mode "heavy" (valid: idle, busy, stream)`},
		{"clock", func(m *Matrix) { m.Clock = "atomic" }, `unknown clock "atomic" (valid: virtual, real)`},
		{"count", func(m *Matrix) { m.Count = 0 }, "count 0: must be at least 1"},
		{"cycles", func(m *Matrix) { m.Cycles = -2 }, "cycles -2: must be at least 1"},
		{"empty", func(m *Matrix) { m.Faults = nil }, "the matrix is empty"},
		{"downtime", func(m *Matrix) { m.Base.Downtime = -time.Second }, "downtime -1s: must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := ok
			tc.change(&m)
			if err := m.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if err := ok.Validate(); err != nil {
		t.Errorf("the default matrix is invalid: %v", err)
	}
	if n := len(ok.Scenarios()); n != len(ok.Strategies)*len(ok.Faults)*len(ok.Traffic) {
		t.Errorf("%d scenarios", n)
	}
}

func TestParseList(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "a", "a,b": "a|b", " a  b\tc ": "a|b|c", "a, b,,c": "a|b|c"} {
		if got := strings.Join(ParseList(in), "|"); got != want {
			t.Errorf("ParseList(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResultFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "grpc-v1.txt")
	f, err := CreateResultFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Write(Result(Env{GRPC: "v1"}, Scenario{Strategy: "dialer", Fault: "crash", Traffic: Idle}, []Cycle{{}})); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the final file exists before Commit: %v", err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o644 || st.Size() == 0 {
		t.Fatalf("committed file: %v, %v", st, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	g, err := CreateResultFile(filepath.Join(dir, "discarded.txt"))
	if err != nil {
		t.Fatal(err)
	}
	g.Discard()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("Discard left files: %v", entries)
	}
}

func TestResultFileUnwritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write anywhere")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o555)
	_, err := CreateResultFile(filepath.Join(dir, "r.txt"))
	if err == nil || !strings.Contains(err.Error(), "is not writable") || !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v, want one naming the folder %s", err, dir)
	}
}

func TestGRPCVersion(t *testing.T) {
	v, ok := versionFromSource()
	if !ok {
		t.Fatal("the linked gRPC code does not name its module version")
	}
	if got := GRPCVersion(); got != v {
		t.Errorf("GRPCVersion() = %q, but the linked code comes from %s@%s", got, grpcModule, v)
	}
	// grpc.Version is wrong in a few releases, but never by a minor version.
	if major, minor, _ := strings.Cut(strings.TrimPrefix(v, "v"), "."); !strings.HasPrefix(grpc.Version, major+"."+strings.SplitN(minor, ".", 2)[0]+".") {
		t.Errorf("linked %s, but grpc.Version says %s", v, grpc.Version)
	}
}
