//go:build go1.25

package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"
	"google.golang.org/grpc"

	"github.com/reconnbench/reconnbench/replay"
	"github.com/reconnbench/reconnbench/resultset"
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
		return Cycle{Restarted: true, Recovered: true, Recover: recover, Connected: true, Detected: true, Detect: detect, Restart: time.Second, Dials: dials, Tally: replay.Tally{Replays: 1}}
	}
	missed := Cycle{Restarted: true, Connected: true, Dials: 4, Restart: 2 * time.Second, Tally: replay.Tally{Lost: 1000}}
	// After a rotation: the server kept the log, the client let the old
	// connection go at once and replayed once more, for nothing.
	kept := Cycle{Connected: true, Detected: true, Dials: 1, Spurious: 1, Tally: replay.Tally{Duplicated: 1000, Replays: 1}}
	// A client that let its connection go before the fault (an idle
	// timeout): nothing to give up, and no time for it.
	idled := recovered(3*time.Second, 0, 1)
	idled.Connected, idled.Spurious = false, 1
	withRPCs := func(c Cycle, n, failed int) Cycle {
		c.Service, c.RPCs, c.FailedRPCs = true, n, failed
		return c
	}
	rr := func(ready bool, in time.Duration) Cycle {
		return Cycle{Service: true, NoReplay: true, RoundRobin: true, AllReady: ready, AllReadyIn: in, Connected: true, Detected: true, Dials: 3,
			Tally: replay.Tally{Lost: 1000, Replays: -1}}
	}
	for _, tc := range []struct {
		name   string
		cycles []Cycle
		want   map[string]float64
	}{
		{"one recovered", []Cycle{recovered(2*time.Second, 0, 3)}, map[string]float64{
			resultset.UnitRecover: 2e9, resultset.UnitMissed: 0, resultset.UnitDetect: 0, resultset.UnitUndetected: 0, resultset.UnitRestart: 1e9, resultset.UnitDials: 3, resultset.UnitLost: 0, resultset.UnitDuplicated: 0, resultset.UnitReplays: 1, resultset.UnitSpurious: 0,
		}},
		// Latencies average over the cycles where the event happened only.
		{"one of two missed", []Cycle{recovered(time.Second, time.Second, 2), missed}, map[string]float64{
			resultset.UnitRecover: 1e9, resultset.UnitMissed: 0.5, resultset.UnitDetect: 1e9, resultset.UnitUndetected: 0.5, resultset.UnitRestart: 1.5e9, resultset.UnitDials: 3, resultset.UnitLost: 500, resultset.UnitDuplicated: 0, resultset.UnitReplays: 0.5, resultset.UnitSpurious: 0,
		}},
		// Nothing recovered: no latency at all, never a zero.
		{"all missed", []Cycle{missed, missed}, map[string]float64{
			resultset.UnitMissed: 1, resultset.UnitUndetected: 1, resultset.UnitRestart: 2e9, resultset.UnitDials: 4, resultset.UnitLost: 1000, resultset.UnitDuplicated: 0, resultset.UnitReplays: 0, resultset.UnitSpurious: 0,
		}},
		// Nothing to recover: never missed, no recovery or restart time.
		{"kept", []Cycle{kept, kept}, map[string]float64{
			resultset.UnitMissed: 0, resultset.UnitDetect: 0, resultset.UnitUndetected: 0, resultset.UnitDials: 1, resultset.UnitLost: 0, resultset.UnitDuplicated: 1000, resultset.UnitReplays: 1, resultset.UnitSpurious: 1,
		}},
		// No connection at the fault: not undetected, and no detection time.
		{"idled", []Cycle{idled}, map[string]float64{
			resultset.UnitRecover: 3e9, resultset.UnitMissed: 0, resultset.UnitUndetected: 0, resultset.UnitRestart: 1e9, resultset.UnitDials: 1, resultset.UnitLost: 0, resultset.UnitDuplicated: 0, resultset.UnitReplays: 1, resultset.UnitSpurious: 1,
		}},
		// A cell the release cannot run: that, and nothing else.
		{"not applicable", []Cycle{{Inapplicable: true}, {Inapplicable: true}}, map[string]float64{resultset.UnitInapplicable: 1}},
		// A service cell with pick_first: the replay measures it, and the
		// share of failed RPCs over both cycles is added.
		{"failover", []Cycle{withRPCs(recovered(time.Second, 0, 2), 10, 2), withRPCs(recovered(3*time.Second, 0, 2), 30, 18)}, map[string]float64{
			resultset.UnitRecover: 2e9, resultset.UnitMissed: 0, resultset.UnitDetect: 0, resultset.UnitUndetected: 0, resultset.UnitRestart: 1e9, resultset.UnitDials: 2, resultset.UnitLost: 0, resultset.UnitDuplicated: 0, resultset.UnitReplays: 1, resultset.UnitSpurious: 0,
			resultset.UnitFailedRPCs: 0.5,
		}},
		// A service cell with round_robin: no replay units, never missed;
		// the time until every backend is ready averages over the cycles
		// where it was, and unready counts the others. An idle client
		// makes no RPCs: no failed share, never a zero.
		{"round robin", []Cycle{rr(true, 4*time.Second), rr(false, 0)}, map[string]float64{
			resultset.UnitMissed: 0, resultset.UnitDetect: 0, resultset.UnitUndetected: 0, resultset.UnitDials: 3, resultset.UnitSpurious: 0,
			resultset.UnitAllReady: 4e9, resultset.UnitUnready: 0.5,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Result(env, sc, tc.cycles)
			if string(r.Name) != "Reconnect/strategy=watcher/fault=crash/traffic=idle/downtime=1s/quiet=2s/client=dial/resolver=passthrough/backends=1/policy=pick_first" || r.Iters != len(tc.cycles) {
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
			// The downtime is a key of the name, no longer a configuration line.
			for key, want := range map[string]string{"grpc": "v1.2.3", "go": "go1.99", "clock": "virtual", "link": "local", "downtime": "", "deadline": "1m0s", "log": "1000x256B"} {
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
	env := Env{GRPC: GRPCVersion(), Go: GoVersion(), Clock: Virtual}
	if failed := mx.Run(t, env, FileSink{Results: benchfmt.NewWriter(&out), Traces: &traces}, &progress); len(failed) > 0 {
		t.Fatal(failed)
	}
	rs, err := resultset.Read(&out, "matrix.txt")
	if err != nil {
		t.Fatal(err)
	}
	runs := map[resultset.Cell]int{}
	for _, res := range rs {
		c, err := res.Cell()
		if err != nil {
			t.Fatal(err)
		}
		runs[c]++
		if res.Config("grpc") != GRPCVersion() || res.Config("clock") != "virtual" {
			t.Errorf("config grpc=%q clock=%q", res.Config("grpc"), res.Config("clock"))
		}
		for _, u := range []string{resultset.UnitMissed, resultset.UnitUndetected, resultset.UnitRestart, resultset.UnitDials, resultset.UnitLost, resultset.UnitDuplicated, resultset.UnitReplays} {
			if _, ok := res.Value(u); !ok {
				t.Errorf("%s lacks %s", res.Name, u)
			}
		}
		if m, _ := res.Value(resultset.UnitMissed); m == 0 {
			if _, ok := res.Value(resultset.UnitRecover); !ok {
				t.Errorf("%s recovered but has no %s", res.Name, resultset.UnitRecover)
			}
		}
	}
	for _, sc := range mx.Scenarios() {
		if runs[sc.Cell()] != 2 {
			t.Errorf("%s: %d runs, want 2; have %v", sc.Name(), runs[sc.Cell()], runs)
		}
	}
	// One traced cycle per cell, named as in the results.
	cells, err := resultset.ReadTraces(&traces, "matrix.trace")
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != len(mx.Scenarios()) {
		t.Fatalf("%d traced cells, want %d", len(cells), len(mx.Scenarios()))
	}
	for i, sc := range mx.Scenarios() {
		if want := sc.Cell(); cells[i].Cell != want {
			t.Errorf("trace %d is of %q, want %q", i, cells[i].Cell, want)
		}
		faults := 0
		for _, e := range cells[i].Events {
			if e.Kind == resultset.EventFault {
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
		{"fault", func(m *Matrix) { m.Faults = []string{"flood"} }, `unknown fault "flood" (valid: blackhole, crash, flap, graceful, move, rolling, rotate)`},
		{"traffic", func(m *Matrix) { m.Traffic = []Traffic{"heavy"} }, `unknown traffic mode "heavy" (valid: idle, busy, stream, rare)`},
		{"downtimes", func(m *Matrix) { m.Downtimes = []time.Duration{time.Second, 0} }, "downtime 0s: must be more than 0"},
		{"quiets", func(m *Matrix) { m.Quiets = []time.Duration{-time.Second} }, "quiet -1s: must not be negative"},
		{"rotate quiet", func(m *Matrix) { m.Quiets = []time.Duration{0, time.Second} }, "quiet 0s: the rotate fault needs a quiet time of at least 1ms"},
		{"clients", func(m *Matrix) { m.Clients = []Client{"dial", "grpc.Dial"} }, `unknown client "grpc.Dial" (valid: dial, newclient)`},
		{"clock", func(m *Matrix) { m.Clock = "atomic" }, `unknown clock "atomic" (valid: virtual, real)`},
		{"count", func(m *Matrix) { m.Count = 0 }, "count 0: must be at least 1"},
		{"cycles", func(m *Matrix) { m.Cycles = -2 }, "cycles -2: must be at least 1"},
		{"empty", func(m *Matrix) { m.Faults = nil }, "the matrix is empty"},
		{"downtime", func(m *Matrix) { m.Base.Downtime = -time.Second }, "downtime -1s: must be more than 0"},
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
