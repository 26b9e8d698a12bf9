//go:build go1.25

package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/reconnbench/reconnbench/strategies"
)

// The soak runs from a Go test because synctest.Test needs a *testing.T.
// Without flags it is a small soak that go test runs every time; `make
// soak` sets them.
var (
	soakCycles     = flag.Int("soak.cycles", 200, "restart cycles in the soak")
	soakTime       = flag.Duration("soak.time", 0, "stop starting cycles after this much wall time (0: no limit)")
	soakSeed       = flag.Uint64("soak.seed", 0, "seed of the soak's random cycles (0: from the clock, printed)")
	soakFrom       = flag.Int("soak.from", 0, "index of the first cycle, to run again part of an earlier soak")
	soakEvery      = flag.Int("soak.every", 0, "sample goroutines and heap every this many cycles (0: an eighth of the cycles, 25 to 500)")
	soakWorkers    = flag.Int("soak.workers", 0, "cycles run at once, each in its own bubble (0: GOMAXPROCS)")
	soakStrategies = flag.String("soak.strategies", "", "strategies, comma- or space-separated (default all)")
	soakTrace      = flag.Bool("soak.trace", false, "print every cycle's trace, to look into one run again with -soak.from and -soak.cycles=1")
)

// TestSoak runs the soak the flags describe: cycles of SoakPlan on the
// virtual clock, several at a time, each checked by SoakReport.Add, with
// the process's goroutines and live heap sampled between rounds of cycles
// and held to the first round's. It prints a summary; any failed check
// fails the test with a line naming the cycle and how to run it again.
func TestSoak(t *testing.T) {
	if err := CheckClock(Virtual); err != nil {
		t.Skip(err)
	}
	plan, every, workers, err := soakFromFlags()
	if err != nil {
		t.Fatal(err)
	}
	report := NewSoakReport(plan, GRPCVersion())
	fmt.Printf("soak: seed %d (-soak.seed, SOAK_SEED for make soak, repeats these cycles): %d cycles from #%d, %d at a time, footprint every %d\n",
		plan.Seed, *soakCycles, *soakFrom, workers, every)

	jobs := make(chan int, every)
	outcomes := make(chan SoakOutcome)
	start := time.Now()
	report.Sample(footprint(0, 0), false)
	coordinated := make(chan struct{})
	go func() {
		defer close(coordinated)
		defer close(jobs)
		done, end := 0, *soakCycles
		for done < end {
			if *soakTime > 0 && time.Since(start) > *soakTime {
				report.Stopped = fmt.Sprintf("-soak.time %v reached after %d of %d cycles", *soakTime, done, end)
				return
			}
			n := min(every, end-done)
			for i := range n {
				jobs <- *soakFrom + done + i
			}
			stalled := false
			for range n {
				o := <-outcomes
				report.Add(o)
				var stall *StallError
				stalled = stalled || errors.As(o.Err, &stall)
			}
			done += n
			if stalled {
				// The stalled bubble never ends; nothing after it can be
				// trusted, least of all the footprint.
				report.Stopped = "a cycle stalled the virtual clock"
				return
			}
			report.Sample(footprint(done, report.baselineGoroutines()), report.Baseline < 0)
			fmt.Printf("soak: %d/%d cycles, %v, %d goroutines, live heap %s\n", done, end,
				time.Since(start).Round(time.Second), report.Samples[len(report.Samples)-1].Goroutines, mib(report.Samples[len(report.Samples)-1].Heap))
		}
	}()
	t.Run("cycles", func(t *testing.T) {
		for w := range workers {
			t.Run(fmt.Sprint("worker-", w), func(t *testing.T) {
				t.Parallel()
				for i := range jobs {
					sc := plan.Cycle(i)
					c, err := RunOn(t, Virtual, sc)
					if *soakTrace {
						fmt.Printf("soak: cycle %d (%s):\n%s", i, describe(sc), traceString(c.Trace))
					}
					outcomes <- SoakOutcome{Index: i, Scenario: sc, Cycle: c, Err: err}
				}
			})
		}
	})
	<-coordinated
	report.Wall = time.Since(start)
	report.WriteSummary(os.Stdout)
	const shown = 20
	for i, f := range report.Failures {
		if i == shown {
			t.Errorf("... and %d more failures", len(report.Failures)-shown)
			break
		}
		t.Error(f)
	}
}

func soakFromFlags() (plan SoakPlan, every, workers int, err error) {
	seed := *soakSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	plan = DefaultSoakPlan(seed)
	if s := ParseList(*soakStrategies); len(s) > 0 {
		plan.Strategies = s
	}
	if err := plan.Validate(); err != nil {
		return plan, 0, 0, err
	}
	switch {
	case *soakCycles < 1:
		return plan, 0, 0, fmt.Errorf("-soak.cycles %d: must be at least 1", *soakCycles)
	case *soakFrom < 0:
		return plan, 0, 0, fmt.Errorf("-soak.from %d: must not be negative", *soakFrom)
	case *soakEvery < 0:
		return plan, 0, 0, fmt.Errorf("-soak.every %d: must not be negative", *soakEvery)
	case *soakWorkers < 0:
		return plan, 0, 0, fmt.Errorf("-soak.workers %d: must not be negative", *soakWorkers)
	case *soakTime < 0:
		return plan, 0, 0, fmt.Errorf("-soak.time %v: must not be negative", *soakTime)
	}
	every = *soakEvery
	if every == 0 {
		every = min(max(*soakCycles/8, 25), 500)
	}
	workers = *soakWorkers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return plan, every, workers, nil
}

// baselineGoroutines is the goroutine count to settle to, or 0 before
// there is a baseline.
func (r *SoakReport) baselineGoroutines() int {
	if r.Baseline < 0 {
		return 0
	}
	return r.Samples[r.Baseline].Goroutines
}

// footprint samples the process between cycles. A goroutine that has just
// delivered a cycle's result may still be on its way out, so the count is
// given up to a second to settle to want.
func footprint(cycles, want int) Sample {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(time.Second); n > want && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	runtime.GC()
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	return Sample{Cycles: cycles, Goroutines: n, Heap: live[0].Value.Uint64()}
}

func TestSoakPlan(t *testing.T) {
	p := DefaultSoakPlan(42)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range 500 {
		sc := p.Cycle(i)
		if sc != p.Cycle(i) {
			t.Fatalf("cycle %d differs between two calls: not a function of the seed and index", i)
		}
		if want := p.Strategies[i%len(p.Strategies)]; sc.Strategy != want {
			t.Errorf("cycle %d: strategy %s, want %s (round-robin)", i, sc.Strategy, want)
		}
		if sc.Downtime < time.Millisecond || sc.Downtime > p.MaxDowntime || sc.Downtime%time.Millisecond != 0 {
			t.Errorf("cycle %d: downtime %v outside 1ms..%v in whole milliseconds", i, sc.Downtime, p.MaxDowntime)
		}
		if sc.Quiet < p.MinQuiet || sc.Quiet > p.MaxQuiet {
			t.Errorf("cycle %d: quiet %v outside %v..%v", i, sc.Quiet, p.MinQuiet, p.MaxQuiet)
		}
		if _, err := sc.resolve(); err != nil {
			t.Errorf("cycle %d: %v", i, err)
		}
		seen[sc.Fault+"/"+string(sc.Traffic)] = true
	}
	if want := len(p.Faults) * len(p.Traffic); len(seen) != want {
		t.Errorf("500 cycles drew %d fault and traffic pairs, want all %d", len(seen), want)
	}
	if other := DefaultSoakPlan(43); other.Cycle(0) == p.Cycle(0) && other.Cycle(1) == p.Cycle(1) && other.Cycle(2) == p.Cycle(2) {
		t.Error("seeds 42 and 43 give the same cycles")
	}
	for _, tc := range []struct {
		name string
		edit func(*SoakPlan)
		want string
	}{
		{"strategy", func(p *SoakPlan) { p.Strategies = []string{"polling"} }, `unknown strategy "polling"`},
		{"downtime", func(p *SoakPlan) { p.MaxDowntime = 0 }, "maximum downtime 0s: must be at least 1ms"},
		{"quiet", func(p *SoakPlan) { p.MinQuiet, p.MaxQuiet = 2*time.Second, time.Second }, "quiet 2s to 1s"},
	} {
		p := DefaultSoakPlan(1)
		tc.edit(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestKnownMiss(t *testing.T) {
	for _, tc := range []struct {
		strategy, fault string
		traffic         Traffic
		grpc            string
		known           bool
	}{
		{"dialer", "crash", Idle, "v1.41.0", true},
		{"dialer", "crash", Idle, "v1.40.1", false}, // before v1.41 the channel redials by itself
		{"dialer", "crash", Idle, "v1.9.0", false},  // by number, not lexically
		{"dialer", "crash", Idle, "v1.100.0", true},
		{"keepalive", "crash", Idle, "(devel)", true}, // unreadable: taken to be recent
		{"keepalive", "flap", Idle, "v1.85.0", true},
		{"dialer", "crash", Busy, "v1.85.0", false}, // traffic wakes the channel
		{"watcher", "blackhole", Stream, "v1.85.0", true},
		{"healthwatch", "blackhole", Idle, "v1.30.0", true},
		{"combined", "blackhole", Idle, "v1.85.0", false}, // keepalive notices
		{"keepalive", "blackhole", Busy, "v1.85.0", false},
		{"watcher", "crash", Idle, "v1.85.0", false},
		{"identity", "blackhole", Idle, "v1.85.0", false}, // keepalive notices
		{"dialer", "crash", Rare, "v1.85.0", false},       // the rare RPC wakes the channel, which retries
		{"dialer", "crash", Rare, "v1.55.1", true},        // for one attempt only
		{"keepalive", "graceful", Rare, "v1.41.0", true},
		{"dialer", "crash", Rare, "v1.40.1", false},
		{"dialer", "blackhole", Rare, "v1.85.0", true},
		{"keepalive", "blackhole", Rare, "v1.85.0", true}, // the RPC comes before keepalive notices
		{"keepalive", "blackhole", Rare, "v1.40.1", false},
		{"dialer", "flap", Rare, "v1.85.0", true},
		{"dialer", "rotate", Idle, "v1.85.0", true}, // never missed anyway: nothing to recover
	} {
		sc := Scenario{Strategy: tc.strategy, Fault: tc.fault, Traffic: tc.traffic}
		if _, known := KnownMiss(sc, tc.grpc); known != tc.known {
			t.Errorf("KnownMiss(%s, %s, %s, %s) = %v, want %v", tc.strategy, tc.fault, tc.traffic, tc.grpc, known, tc.known)
		}
	}
}

// TestSoakReportChecks feeds the report outcomes that must and must not
// fail the soak.
func TestSoakReportChecks(t *testing.T) {
	recovered := Cycle{Restarted: true, Recovered: true, Recover: 1100 * time.Millisecond}
	recovered.Replays = 1
	for _, tc := range []struct {
		name     string
		strategy string
		fault    string
		traffic  Traffic
		edit     func(*Cycle)
		err      error
		fail     string // "" if the outcome passes
	}{
		{"clean recovery", "watcher", "crash", Idle, nil, nil, ""},
		{"lost", "watcher", "crash", Idle, func(c *Cycle) { c.Lost = 3 }, nil, "the server lacks 3 entries"},
		{"duplicate, claimed", "healthwatch", "crash", Busy, func(c *Cycle) { c.Duplicated = 1000 }, nil, "claims exactly-once"},
		{"duplicate, not claimed", "dialer", "crash", Busy, func(c *Cycle) { c.Duplicated = 1000 }, nil, ""},
		{"corrupt", "dialer", "crash", Busy, func(c *Cycle) { c.Corrupt = 1 }, nil, "1 entries arrived damaged"},
		{"known miss", "dialer", "crash", Idle, func(c *Cycle) { c.Recovered, c.Lost = false, 1000 }, nil, ""},
		{"unexpected miss", "watcher", "crash", Idle, func(c *Cycle) { c.Recovered, c.Lost = false, 1000 }, nil, "never recovered"},
		{"error", "watcher", "crash", Idle, nil, errors.New("the first replay did not complete"), "the first replay did not complete"},
		// After a fault that keeps the server, nothing is missed; replays
		// are spurious, which only a strategy that claims none fails on.
		{"kept, spurious", "watcher", "rotate", Idle, func(c *Cycle) { c.Restarted, c.Recovered, c.Spurious, c.Duplicated = false, false, 1, 1000 }, nil, ""},
		{"kept, spurious, claimed", "identity", "rotate", Idle, func(c *Cycle) { c.Restarted, c.Recovered, c.Spurious = false, false, 1 }, nil, "1 spurious replays by a strategy that claims"},
		{"spurious on a restart, claimed", "identity", "crash", Idle, func(c *Cycle) { c.Spurious = 1 }, nil, "claims to replay only"},
		{"kept, lost", "watcher", "rotate", Idle, func(c *Cycle) { c.Restarted, c.Recovered, c.Lost = false, false, 2 }, nil, "lacks 2 entries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultSoakPlan(7)
			r := NewSoakReport(p, "v1.85.0")
			c := recovered
			if tc.edit != nil {
				tc.edit(&c)
			}
			sc := Scenario{Strategy: tc.strategy, Fault: tc.fault, Traffic: tc.traffic}
			r.Add(SoakOutcome{Index: 12, Scenario: sc, Cycle: c, Err: tc.err})
			got := strings.Join(r.Failures, "\n")
			switch {
			case tc.fail == "" && got != "":
				t.Errorf("failures %q, want none", got)
			case tc.fail != "" && !strings.Contains(got, tc.fail):
				t.Errorf("failures %q, want one containing %q", got, tc.fail)
			case tc.fail != "" && !strings.Contains(got, "-soak.seed=7 -soak.from=12 -soak.cycles=1"):
				t.Errorf("failure %q does not say how to run the cycle again", got)
			}
		})
	}
	t.Run("footprint", func(t *testing.T) {
		r := NewSoakReport(DefaultSoakPlan(7), "v1.85.0")
		r.Sample(Sample{Cycles: 0, Goroutines: 2, Heap: 1 << 20}, false)
		r.Sample(Sample{Cycles: 100, Goroutines: 4, Heap: 8 << 20}, true) // warm-up: the baseline
		r.Sample(Sample{Cycles: 200, Goroutines: 4, Heap: 8<<20 + HeapSlack}, false)
		if len(r.Failures) != 0 {
			t.Errorf("failures %q at the bounds", r.Failures)
		}
		r.Sample(Sample{Cycles: 300, Goroutines: 5, Heap: 8<<20 + HeapSlack + 1}, false)
		if got := strings.Join(r.Failures, "\n"); !strings.Contains(got, "goroutines accumulate") || !strings.Contains(got, "of growth") {
			t.Errorf("failures %q, want goroutine and heap growth", got)
		}
	})
}

// replayTwice is the state watcher replaying twice per reconnect while
// claiming exactly-once replay.
var replayTwice = &strategies.Info{Name: "twice", ExactlyOnce: true, New: func() strategies.Strategy { return twiceStrategy{} }}

type twiceStrategy struct{ strategies.StateWatcher }

func (w twiceStrategy) Watch(ctx context.Context, cc *grpc.ClientConn, h strategies.Hooks) {
	replay := h.Replay
	h.Replay = func() { replay(); replay() }
	w.StateWatcher.Watch(ctx, cc, h)
}

// replayOnce replays on the first READY and never again.
var replayOnce = &strategies.Info{Name: "once", New: func() strategies.Strategy { return onceStrategy{} }}

type onceStrategy struct{}

func (onceStrategy) DialOptions(strategies.Hooks) []grpc.DialOption { return nil }

func (onceStrategy) Watch(ctx context.Context, cc *grpc.ClientConn, h strategies.Hooks) {
	for s := cc.GetState(); s != connectivity.Ready; s = cc.GetState() {
		if !cc.WaitForStateChange(ctx, s) {
			return
		}
	}
	h.Replay()
}

// TestSoakCatchesMisbehaviour runs real cycles of strategies that break
// what the soak checks, and of one that does not.
func TestSoakCatchesMisbehaviour(t *testing.T) {
	for _, tc := range []struct {
		name string
		sc   Scenario
		fail string // "" if the cycle passes
	}{
		{"exactly-once kept", Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle}, ""},
		{"exactly-once broken", Scenario{Plugin: replayTwice, Fault: "crash", Traffic: Idle}, "1000 entries duplicated by a strategy that claims exactly-once replay (2 replays)"},
		{"undocumented miss", Scenario{Plugin: replayOnce, Fault: "graceful", Traffic: Busy}, "never recovered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := RunOn(t, Virtual, tc.sc)
			r := NewSoakReport(DefaultSoakPlan(1), GRPCVersion())
			r.Add(SoakOutcome{Scenario: tc.sc, Cycle: c, Err: err})
			got := strings.Join(r.Failures, "\n")
			if tc.fail == "" && got != "" || !strings.Contains(got, tc.fail) {
				t.Errorf("failures %q, want %q", got, tc.fail)
			}
		})
	}
}
