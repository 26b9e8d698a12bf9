package bench

import (
	"fmt"
	"io"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reconnbench/reconnbench/strategies"
)

// A soak runs thousands of restart cycles with random faults, traffic,
// downtimes and fault instants, and checks each one's outcome rather than
// measuring it: after every recovery the fresh server must hold the
// client's log, and nothing may accumulate from cycle to cycle. The cycles
// come from a SoakPlan, the verdicts go into a SoakReport; TestSoak
// (soak_test.go, `make soak`) runs them on the virtual clock.

// SoakPlan deals the cycles of a soak. Cycle i is a pure function of the
// seed and i, so any cycle of a failed soak can be run again alone.
type SoakPlan struct {
	Seed       uint64
	Strategies []string // dealt round-robin, so each gets an equal share
	Faults     []string // drawn at random, as are the traffic modes
	Traffic    []Traffic
	// Downtime is drawn uniformly from [1ms, MaxDowntime] in whole
	// milliseconds (a zero Downtime would mean the default).
	MaxDowntime time.Duration
	// Quiet, the time between the first replay and the fault, is drawn
	// from [MinQuiet, MaxQuiet] in whole milliseconds, so that the fault
	// strikes at every phase of the busy traffic's 100 ms tick and of
	// keepalive's pings rather than always on a tick. (For rotate it is
	// the connection-age limit, which gRPC jitters further.)
	MinQuiet, MaxQuiet time.Duration
	// Base holds the other parameters of every cycle (link, deadline, log).
	Base Scenario
}

// DefaultSoakPlan is every registered strategy, fault of one server
// (BaseFaults) and traffic mode,
// downtimes up to 5 s and fault instants 1 to 3 s after the first replay.
// The deadline stays the matrix's 60 s: a long deadline costs nothing on
// the virtual clock, and the slowest recovery (keepalive noticing a
// blackhole, about 15 s after the fault) keeps a wide margin.
func DefaultSoakPlan(seed uint64) SoakPlan {
	return SoakPlan{
		Seed:        seed,
		Strategies:  strategies.Names(),
		Faults:      BaseFaults(),
		Traffic:     TrafficModes(),
		MaxDowntime: 5 * time.Second,
		MinQuiet:    1 * time.Second,
		MaxQuiet:    3 * time.Second,
	}
}

// Validate checks every name and bound, naming the first bad one.
func (p SoakPlan) Validate() error {
	m := Matrix{Strategies: p.Strategies, Faults: p.Faults, Traffic: p.Traffic, Count: 1, Cycles: 1, Clock: Virtual, Base: p.Base}
	if err := m.Validate(); err != nil {
		return err
	}
	if p.MaxDowntime < time.Millisecond {
		return fmt.Errorf("maximum downtime %v: must be at least 1ms", p.MaxDowntime)
	}
	if p.MinQuiet < time.Millisecond || p.MaxQuiet < p.MinQuiet {
		return fmt.Errorf("quiet %v to %v: want 1ms <= minimum <= maximum", p.MinQuiet, p.MaxQuiet)
	}
	return nil
}

// Cycle returns the scenario of cycle i.
func (p SoakPlan) Cycle(i int) Scenario {
	// math/rand, not math/rand/v2: package bench builds with every Go
	// toolchain make compat tries, from go1.21.
	rng := rand.New(rand.NewSource(int64(mix(p.Seed, uint64(i)))))
	ms := func(lo, hi time.Duration) time.Duration {
		return lo.Truncate(time.Millisecond) + time.Duration(rng.Int63n(int64((hi-lo)/time.Millisecond)+1))*time.Millisecond
	}
	sc := p.Base
	sc.Strategy = p.Strategies[i%len(p.Strategies)]
	sc.Fault = p.Faults[rng.Intn(len(p.Faults))]
	sc.Traffic = p.Traffic[rng.Intn(len(p.Traffic))]
	sc.Downtime = ms(time.Millisecond, p.MaxDowntime)
	sc.Quiet = ms(p.MinQuiet, p.MaxQuiet)
	return sc
}

// mix derives the random source of one cycle from the soak's seed and the
// cycle's index (the finaliser of SplitMix64), so that neighbouring cycles
// and neighbouring seeds draw unrelated sequences.
func mix(seed, i uint64) uint64 {
	z := seed + (i+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// channelsStayIdle reports whether gRPC-Go release version (v1.N.P)
// leaves a channel that lost its connection IDLE until an RPC or Connect()
// wakes it, as every release from v1.41.0 on does. A version it cannot
// read is taken to be a recent one. (Not golang.org/x/mod/semver: the
// per-release module files in versions/ do not require x/mod.)
func channelsStayIdle(version string) bool { return minorAtLeast(version, 41) }

// wokenChannelsRetry reports whether release version keeps a channel that
// an RPC woke from IDLE trying to connect, with backoff, until it succeeds,
// as pick_first does from v1.56.0 on ("sticky TRANSIENT_FAILURE", gRFC
// A62: pickfirst.go, UpdateSubConnState). From v1.41 to v1.55 one failed
// attempt leaves the channel IDLE again.
func wokenChannelsRetry(version string) bool { return minorAtLeast(version, 56) }

// minorAtLeast reports whether version is v1.N.P with N >= minor, taking a
// version it cannot read to be a recent one.
func minorAtLeast(version string, minor int) bool {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 || parts[0] != "1" {
		return true
	}
	n, err := strconv.Atoi(parts[1])
	return err != nil || n >= minor
}

// KnownMiss reports whether a cycle of sc that never recovers is one of the
// limitations docs/cycle.md documents for the strategy on gRPC-Go release
// grpcVersion, and which. Any other miss is a failure of the soak.
func KnownMiss(sc Scenario, grpcVersion string) (reason string, known bool) {
	keepalive := sc.Strategy == "keepalive" || sc.Strategy == "combined" || sc.Strategy == "identity"
	dialTriggered := sc.Strategy == "dialer" || sc.Strategy == "keepalive"
	idle := channelsStayIdle(grpcVersion)
	switch {
	case sc.Fault == "blackhole" && !keepalive:
		return "a blackhole goes unnoticed without keepalive", true
	case dialTriggered && sc.Traffic == Idle && idle:
		return "an idle channel never dials again (v1.41.0 on)", true
	case dialTriggered && sc.Traffic == Rare && sc.Fault == "blackhole" && idle:
		return "the rare RPC comes before keepalive notices the blackhole, and nothing wakes the idle channel after (v1.41.0 on)", true
	case dialTriggered && sc.Traffic == Rare && sc.Fault != "rotate" && idle && !wokenChannelsRetry(grpcVersion):
		return "the rare RPC wakes the channel for one attempt, refused while the server is down, and the channel goes idle again (v1.41.0 to v1.55)", true
	case dialTriggered && sc.Traffic == Rare && sc.Fault == "flap" && idle:
		return "the channel the rare RPC woke may reach the short-lived second server, lose it and stay idle (v1.56.0 on)", true
	}
	return "", false
}

// SoakOutcome is how one cycle of a soak ended.
type SoakOutcome struct {
	Index    int
	Scenario Scenario
	Cycle    Cycle
	Err      error // the cycle could not be run to its end
}

// SoakTally sums the outcomes of one strategy's cycles.
type SoakTally struct {
	Cycles     int
	Recovered  int
	KnownMiss  map[string]int // missed cycles, by documented reason
	Unexpected int            // missed cycles no documented reason covers
	Errors     int            // cycles that could not be run
	// Summed over recovered cycles: entries the fresh server lacks (never
	// anything but 0 without a bug in the harness), copies beyond the
	// first, and entries that arrived damaged.
	Lost, Duplicated, Corrupt int
	// Kept counts the cycles whose fault kept the server's state
	// (rotate): nothing to recover, nothing to miss.
	Kept int
	// Spurious sums, over every cycle, the replays that reached an
	// instance already holding the whole log.
	Spurious int
	// Summed over missed cycles: entries the fresh server lacks, that is
	// the log entries still waiting on the client for a replay that never
	// came.
	Unreplayed int
	Slowest    time.Duration // the longest recovery
	SlowestAt  int           // and the index of its cycle
	DupAt      []int         // the first few cycles with duplicates
}

// maxListed bounds the cycles a tally lists by index.
const maxListed = 5

// Sample is the process's footprint between cycles, when no cycle runs.
type Sample struct {
	Cycles     int    // cycles finished when it was taken
	Goroutines int    // runtime.NumGoroutine
	Heap       uint64 // bytes of live heap objects after a forced GC
}

// SoakReport collects a soak's outcomes and footprint samples and decides
// whether it passed.
type SoakReport struct {
	Plan   SoakPlan
	GRPC   string          // the linked release, for KnownMiss
	Claims map[string]bool // ExactlyOnce, by strategy
	// NoSpurious is the claim of strategies that never replay to an
	// instance that holds the log (strategies.Info.NoSpurious).
	NoSpurious map[string]bool
	Tallies    map[string]*SoakTally
	// Failures has one line per failed check, naming the cycle and how to
	// run it again.
	Failures []string
	// Samples are the footprint at the start, after each round of cycles
	// and at the end; Baseline is the sample after the first round, when
	// caches and pools have warmed up.
	Samples  []Sample
	Baseline int // index into Samples
	Wall     time.Duration
	Stopped  string // why the soak ended before its last cycle, if it did
}

// NewSoakReport returns an empty report for plan on the linked gRPC-Go.
func NewSoakReport(plan SoakPlan, grpcVersion string) *SoakReport {
	r := &SoakReport{Plan: plan, GRPC: grpcVersion, Claims: map[string]bool{}, NoSpurious: map[string]bool{},
		Tallies: map[string]*SoakTally{}, Baseline: -1}
	for _, s := range plan.Strategies {
		info, err := strategies.Lookup(s)
		r.Claims[s] = err == nil && info.ExactlyOnce
		r.NoSpurious[s] = err == nil && info.NoSpurious
		r.Tallies[s] = &SoakTally{KnownMiss: map[string]int{}}
	}
	return r
}

// Add checks one cycle's outcome: a cycle that ran to its end either
// recovered with the fresh server holding exactly the client's log (every
// entry, none damaged, none twice for a strategy that claims exactly-once
// replay), or missed for a reason KnownMiss documents, or followed a
// fault that kept the server (rotate), which must still hold the whole
// log, undamaged. A strategy that claims never to replay to an instance
// holding the log must not, in any cycle.
func (r *SoakReport) Add(o SoakOutcome) {
	name, claim, noSpur := o.Scenario.Strategy, r.Claims[o.Scenario.Strategy], r.NoSpurious[o.Scenario.Strategy]
	if p := o.Scenario.Plugin; p != nil {
		name, claim, noSpur = p.Name, p.ExactlyOnce, p.NoSpurious
	}
	t := r.Tallies[name]
	if t == nil {
		t = &SoakTally{KnownMiss: map[string]int{}}
		r.Tallies[name] = t
	}
	t.Cycles++
	c := o.Cycle
	fail := func(format string, args ...any) {
		r.Failures = append(r.Failures, fmt.Sprintf("cycle %d (%s): %s; run it alone with -soak.seed=%d -soak.from=%d -soak.cycles=1",
			o.Index, describe(o.Scenario), fmt.Sprintf(format, args...), r.Plan.Seed, o.Index))
	}
	if o.Err != nil {
		t.Errors++
		fail("%v", o.Err)
		return
	}
	if c.Corrupt > 0 {
		fail("%d entries arrived damaged", c.Corrupt)
	}
	t.Spurious += c.Spurious
	if c.Spurious > 0 && noSpur {
		fail("%d spurious replays by a strategy that claims to replay only to a server that lacks the log", c.Spurious)
	}
	if !c.Restarted {
		t.Kept++
		if c.Lost > 0 {
			fail("the server kept its state, yet lacks %d entries at the end", c.Lost)
		}
		return
	}
	if c.Missed() {
		t.Unreplayed += c.Lost
		if reason, ok := KnownMiss(o.Scenario, r.GRPC); ok {
			t.KnownMiss[reason]++
		} else {
			t.Unexpected++
			fail("never recovered (%d replays reached the last server, %d dials after the fault)", c.Replays, c.Dials)
		}
		return
	}
	t.Recovered++
	t.Lost += c.Lost
	t.Duplicated += c.Duplicated
	t.Corrupt += c.Corrupt
	if c.Recover > t.Slowest {
		t.Slowest, t.SlowestAt = c.Recover, o.Index
	}
	if c.Lost > 0 {
		fail("recovered, yet the server lacks %d entries", c.Lost)
	}
	if c.Duplicated > 0 && len(t.DupAt) < maxListed {
		t.DupAt = append(t.DupAt, o.Index)
	}
	if c.Duplicated > 0 && claim {
		fail("%d entries duplicated by a strategy that claims exactly-once replay (%d replays)", c.Duplicated, c.Replays)
	}
}

// describe is a scenario's random parameters, in a few words.
func describe(sc Scenario) string {
	return fmt.Sprintf("%s, %s, %s traffic, down %v, quiet %v", sc.Strategy, sc.Fault, sc.Traffic, sc.Downtime, sc.quiet())
}

// Footprint bounds. Between rounds no cycle runs, so every goroutine a
// cycle started has ended (synctest.Test waits for its bubble) and what is
// left on the heap is the process's own; a leak of one cycle's client,
// server or store (the log alone is 256 KiB) per round would pass
// HeapSlack within a few rounds.
const (
	// GoroutineSlack is how many more goroutines than at the baseline a
	// sample may show.
	GoroutineSlack = 0
	// HeapSlack is how much more live heap than at the baseline a sample
	// may show: room for the runtime's and gRPC's own caches settling.
	HeapSlack = 4 << 20
)

// Sample records the footprint after cycles cycles, and checks it against
// the baseline once there is one.
func (r *SoakReport) Sample(s Sample, baseline bool) {
	r.Samples = append(r.Samples, s)
	if baseline {
		r.Baseline = len(r.Samples) - 1
		return
	}
	if r.Baseline < 0 {
		return
	}
	b := r.Samples[r.Baseline]
	if s.Goroutines > b.Goroutines+GoroutineSlack {
		r.Failures = append(r.Failures, fmt.Sprintf("after %d cycles: %d goroutines, %d after %d cycles: goroutines accumulate",
			s.Cycles, s.Goroutines, b.Goroutines, b.Cycles))
	}
	if s.Heap > b.Heap+HeapSlack {
		r.Failures = append(r.Failures, fmt.Sprintf("after %d cycles: live heap %s, %s after %d cycles: more than %s of growth",
			s.Cycles, mib(s.Heap), mib(b.Heap), b.Cycles, mib(HeapSlack)))
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// Cycles returns how many cycles the report holds.
func (r *SoakReport) Cycles() int {
	n := 0
	for _, t := range r.Tallies {
		n += t.Cycles
	}
	return n
}

// WriteSummary prints a table per strategy and the footprint.
func (r *SoakReport) WriteSummary(w io.Writer) {
	n := r.Cycles()
	fmt.Fprintf(w, "soak: seed %d, gRPC-Go %s, %d cycles in %v (%.0f cycles/s)", r.Plan.Seed, r.GRPC, n,
		r.Wall.Round(100*time.Millisecond), float64(n)/r.Wall.Seconds())
	if r.Stopped != "" {
		fmt.Fprintf(w, ", stopped early: %s", r.Stopped)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "strategy\tcycles\trecovered\tno replay needed\tmissed (known)\tmissed (unexpected)\terrors\tlost\tduplicated\tcorrupt\tspurious\texactly-once\tslowest (cycle)\t")
	for _, s := range r.Plan.Strategies {
		t := r.Tallies[s]
		known := 0
		for _, k := range t.KnownMiss {
			known += k
		}
		claim := "no"
		switch {
		case r.Claims[s] && r.NoSpurious[s]:
			claim = "claimed, no spurious"
		case r.Claims[s]:
			claim = "claimed"
		}
		slowest := "-"
		if t.Recovered > 0 {
			slowest = fmt.Sprintf("%v (#%d)", t.Slowest.Round(time.Millisecond), t.SlowestAt)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t\n", s, t.Cycles, t.Recovered, t.Kept, known, t.Unexpected,
			t.Errors, t.Lost, t.Duplicated, t.Corrupt, t.Spurious, claim, slowest)
	}
	tw.Flush()
	for _, s := range r.Plan.Strategies {
		t := r.Tallies[s]
		reasons := make([]string, 0, len(t.KnownMiss))
		for reason, k := range t.KnownMiss {
			reasons = append(reasons, fmt.Sprintf("%d: %s", k, reason))
		}
		sort.Strings(reasons)
		if len(reasons) > 0 {
			fmt.Fprintf(w, "  %s missed %s; the server lacked %d entries in all, still in the client's log\n", s, strings.Join(reasons, ", "), t.Unreplayed)
		}
		if len(t.DupAt) > 0 {
			fmt.Fprintf(w, "  %s duplicated entries in cycles %s (the first %d at most)\n", s, strings.Trim(fmt.Sprint(t.DupAt), "[]"), maxListed)
		}
	}
	if len(r.Samples) > 0 {
		first, last := r.Samples[0], r.Samples[len(r.Samples)-1]
		fmt.Fprintf(w, "goroutines: %d at the start", first.Goroutines)
		if r.Baseline >= 0 {
			b := r.Samples[r.Baseline]
			fmt.Fprintf(w, ", %d after %d cycles", b.Goroutines, b.Cycles)
		}
		fmt.Fprintf(w, ", %d at the end (bound: baseline + %d)\n", last.Goroutines, GoroutineSlack)
		fmt.Fprintf(w, "live heap: %s at the start", mib(first.Heap))
		if r.Baseline >= 0 {
			b := r.Samples[r.Baseline]
			fmt.Fprintf(w, ", %s after %d cycles", mib(b.Heap), b.Cycles)
		}
		fmt.Fprintf(w, ", %s at the end (bound: baseline + %s)\n", mib(last.Heap), mib(HeapSlack))
	}
	if len(r.Failures) == 0 {
		fmt.Fprintln(w, "soak: PASS: every recovery left the server holding the client's log, every miss is a documented one, footprint flat")
	}
}
