package bench

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/strategies"
)

// Matrix is every combination of strategies, faults, traffic modes,
// downtimes, quiet times and clients, each run Count times.
type Matrix struct {
	Strategies []string
	Faults     []string
	Traffic    []Traffic
	// Downtimes, Quiets and Clients are the values of those keys; an
	// empty list takes Base's value (a zero quiet time in Quiets is no
	// quiet time, not the default).
	Downtimes []time.Duration
	Quiets    []time.Duration
	Clients   []Client
	// Resolvers, Backends and Policies are the values of the service
	// keys; an empty list takes Base's value. Combinations no cell can
	// have (several backends behind passthrough, a rolling restart of
	// one) are left out.
	Resolvers []Resolver
	Backends  []int
	Policies  []Policy
	Count     int   // result lines per cell
	Cycles    int   // restart cycles averaged into each result line
	Clock     Clock // Virtual or Real
	// Cells, if set, are the cells to run instead of every combination of
	// the lists above.
	Cells []resultset.Cell
	// Workers is how many cells run at once, each cycle in a bubble (or,
	// on the real clock, a network) of its own; 0 or 1 runs one at a time.
	Workers int
	// RealOnStall measures a virtual cycle that stalls its clock (see
	// StallError) again on the real clock, and goes on with the cell's
	// next cycle on the virtual clock; the result line of that run says
	// clock: real. The stalled bubble cannot be reclaimed: it spins until
	// the process ends, so a process bears MaxStalls of them. At one
	// more, the cell is cut short: its complete runs are handed to the
	// sink, nothing more runs (ErrCutShort), and the process must end
	// without waiting for its bubbles (see StalledBubbles), so that a
	// fresh one can run the rest.
	RealOnStall bool
	Base        Scenario
}

// DefaultMatrix is every registered strategy, every fault of one server
// restarting at its own address (BaseFaults) and every traffic mode, in
// the base situation.
func DefaultMatrix() Matrix {
	return Matrix{
		Strategies: strategies.Names(),
		Faults:     BaseFaults(),
		Traffic:    TrafficModes(),
		Downtimes:  []time.Duration{DefaultDowntime},
		Quiets:     []time.Duration{DefaultQuiet},
		Clients:    []Client{DefaultClient},
		Resolvers:  []Resolver{DefaultResolver},
		Backends:   []int{DefaultBackends},
		Policies:   []Policy{DefaultPolicy},
		Count:      6,
		Cycles:     1,
		Clock:      Virtual,
	}
}

// Validate checks every name and number in m, naming the first bad one and
// what would be valid.
func (m Matrix) Validate() error {
	names, faults, traffic := m.Strategies, m.Faults, m.Traffic
	downtimes, clients := m.Downtimes, m.Clients
	for _, c := range m.Cells {
		names, faults, traffic = append(names, c.Strategy), append(faults, c.Fault), append(traffic, Traffic(c.Traffic))
		downtimes, clients = append(downtimes, c.Downtime), append(clients, Client(c.Client))
		if err := checkQuietTime(c.Quiet); err != nil {
			return err
		}
		if err := checkQuiet(c.Fault, c.Quiet); err != nil {
			return err
		}
		if err := checkService(c.Fault, Resolver(c.Resolver), c.Backends, Policy(c.Policy), m.Base.Net); err != nil {
			return err
		}
	}
	for _, r := range m.Resolvers {
		if _, err := ParseResolver(string(r)); err != nil {
			return err
		}
	}
	for _, p := range m.Policies {
		if _, err := ParsePolicy(string(p)); err != nil {
			return err
		}
	}
	for _, b := range m.Backends {
		if b < 1 || b > MaxBackends {
			return fmt.Errorf("backends %d: must be 1 to %d", b, MaxBackends)
		}
	}
	for _, s := range names {
		if _, err := strategies.Lookup(s); err != nil {
			return err
		}
	}
	for _, f := range faults {
		if _, err := netsim.LookupFault(f); err != nil {
			return err
		}
	}
	for _, t := range traffic {
		if _, err := ParseTraffic(string(t)); err != nil {
			return err
		}
	}
	for _, d := range downtimes {
		if err := checkDowntime(d); err != nil {
			return err
		}
	}
	for _, q := range m.Quiets {
		if err := checkQuietTime(q); err != nil {
			return err
		}
		for _, f := range m.Faults {
			if err := checkQuiet(f, q); err != nil {
				return err
			}
		}
	}
	for _, c := range clients {
		if _, err := ParseClient(string(c)); err != nil {
			return err
		}
	}
	if err := CheckClock(m.Clock); err != nil {
		return err
	}
	if err := checkNetClock(m.Base.Net, m.Clock); err != nil {
		return err
	}
	if m.Count <= 0 {
		return fmt.Errorf("count %d: must be at least 1", m.Count)
	}
	if m.Cycles <= 0 {
		return fmt.Errorf("cycles %d: must be at least 1", m.Cycles)
	}
	if m.Workers < 0 {
		return fmt.Errorf("workers %d: must not be negative", m.Workers)
	}
	if len(m.Scenarios()) == 0 {
		if len(m.Strategies) > 0 && len(m.Faults) > 0 && len(m.Traffic) > 0 {
			// Every combination failed checkService: say why the first did.
			sc := m.Base
			sc.Fault, sc.Resolver, sc.Policy = m.Faults[0], orDefault(m.Resolvers, m.Base.Resolver)[0], orDefault(m.Policies, m.Base.Policy)[0]
			sc.Backends = orDefault(m.Backends, m.Base.Backends)[0]
			w := sc.withDefaults()
			if err := checkService(w.Fault, w.Resolver, w.Backends, w.Policy, NetSim); err != nil {
				return fmt.Errorf("no cell can have every value asked for: %w", err)
			}
		}
		return errors.New("the matrix is empty: give at least one strategy, fault and traffic mode")
	}
	_, err := m.Base.resolveParams()
	return err
}

// Scenarios returns the cells of m in the order they run: Cells if set,
// else every combination of the lists, in the order of the keys in a
// cell's name, the last varying fastest.
func (m Matrix) Scenarios() []Scenario {
	downtimes, quiets, clients := m.Downtimes, m.Quiets, m.Clients
	if len(downtimes) == 0 {
		downtimes = []time.Duration{m.Base.Downtime}
	}
	if len(quiets) == 0 {
		quiets = []time.Duration{m.Base.Quiet}
	} else {
		quiets = append([]time.Duration(nil), quiets...)
		for i, q := range quiets {
			if q == 0 {
				quiets[i] = NoQuiet
			}
		}
	}
	if len(clients) == 0 {
		clients = []Client{m.Base.Client}
	}
	type service struct {
		r Resolver
		b int
		p Policy
	}
	var services []service
	for _, r := range orDefault(m.Resolvers, m.Base.Resolver) {
		for _, b := range orDefault(m.Backends, m.Base.Backends) {
			for _, p := range orDefault(m.Policies, m.Base.Policy) {
				services = append(services, service{r, b, p})
			}
		}
	}
	var scs []Scenario
	if len(m.Cells) > 0 {
		for _, c := range m.Cells {
			sc := m.Base
			cs := ScenarioOf(c)
			sc.Strategy, sc.Fault, sc.Traffic = cs.Strategy, cs.Fault, cs.Traffic
			sc.Downtime, sc.Quiet, sc.Client = cs.Downtime, cs.Quiet, cs.Client
			sc.Resolver, sc.Backends, sc.Policy = cs.Resolver, cs.Backends, cs.Policy
			scs = append(scs, sc)
		}
		return scs
	}
	for _, s := range m.Strategies {
		for _, f := range m.Faults {
			for _, t := range m.Traffic {
				for _, d := range downtimes {
					for _, q := range quiets {
						for _, c := range clients {
							for _, sv := range services {
								sc := m.Base
								sc.Strategy, sc.Fault, sc.Traffic = s, f, t
								sc.Downtime, sc.Quiet, sc.Client = d, q, c
								sc.Resolver, sc.Backends, sc.Policy = sv.r, sv.b, sv.p
								if w := sc.withDefaults(); checkService(w.Fault, w.Resolver, w.Backends, w.Policy, NetSim) != nil {
									continue // a combination no cell can have
								}
								scs = append(scs, sc)
							}
						}
					}
				}
			}
		}
	}
	return scs
}

// orDefault returns list, or def alone if list is empty.
func orDefault[T any](list []T, def T) []T {
	if len(list) == 0 {
		return []T{def}
	}
	return list
}

// CellError is a cell that could not be measured.
type CellError struct {
	Scenario Scenario
	Err      error
}

func (e *CellError) Error() string { return e.Scenario.Name() + ": " + e.Err.Error() }

func (e *CellError) Unwrap() error { return e.Err }

// A Sink takes what the matrix measures, a cell at a time: Start as a cell
// begins, Done with its results (one per run) and the trace of its first
// cycle once every run of it has ended. A cell that cannot be measured
// gets Start and no Done. Run calls a sink from one goroutine at a time.
type Sink interface {
	Start(sc Scenario) error
	Done(sc Scenario, results []*benchfmt.Result, trace []resultset.Event) error
}

// Run runs every cell, Workers at a time, handing each to sink and writing
// a line per cell to progress. A cell that fails is reported in the
// returned errors and the others still run, unless it leaves the process
// stuck (a stalled bubble, a hung cycle): then the cells not started are
// reported as not run.
func (m Matrix) Run(t *testing.T, env Env, sink Sink, progress io.Writer) []*CellError {
	scs := m.Scenarios()
	workers := max(m.Workers, 1)
	var (
		mu      sync.Mutex // guards sink, progress, failed, stuck and next
		failed  []*CellError
		stuck   bool
		next    int
		started = time.Now()
		ended   int
	)
	// take hands out the next cell, or false once there is none or the
	// process is stuck.
	take := func() (Scenario, bool) {
		mu.Lock()
		defer mu.Unlock()
		if stuck || next == len(scs) {
			return Scenario{}, false
		}
		sc := scs[next]
		next++
		if err := sink.Start(sc); err != nil {
			failed = append(failed, &CellError{sc, err})
			stuck = true // a sink that cannot write cannot keep anything
			return Scenario{}, false
		}
		return sc, true
	}
	finish := func(sc Scenario, o cellOutcome, err error, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if err == nil || errors.Is(err, ErrCutShort) && len(o.results) > 0 {
			if derr := sink.Done(sc, o.results, o.trace); derr != nil {
				err = derr
			}
		}
		status := fmt.Sprintf("missed %d/%d", o.missed, m.Count*m.Cycles)
		if o.real > 0 {
			status += fmt.Sprintf(", %d measured on the real clock after stalling the virtual one", o.real)
		}
		if err != nil {
			failed = append(failed, &CellError{sc, err})
			status = "FAILED: " + err.Error()
			// The stalled bubble or hung cycle keeps its goroutines;
			// nothing more can run reliably in this process.
			stuck = stuck || Stuck(err)
		}
		ended++
		fmt.Fprintf(progress, "[%d/%d %s] %s: %s in %v\n", ended, len(scs), time.Since(started).Round(time.Second),
			sc.Name(), status, took.Round(time.Millisecond))
	}
	t.Run("cells", func(t *testing.T) {
		for w := 0; w < workers; w++ {
			t.Run(fmt.Sprint("worker-", w), func(t *testing.T) {
				t.Parallel()
				for {
					sc, ok := take()
					if !ok {
						return
					}
					start := time.Now()
					o, err := m.runCell(t, env, sc)
					finish(sc, o, err, time.Since(start))
				}
			})
		}
	})
	for _, rest := range scs[next:] {
		failed = append(failed, &CellError{rest, errors.New("not run: an earlier cell left this process stuck")})
	}
	return failed
}

// cellOutcome is what the runs of one cell measured.
type cellOutcome struct {
	results []*benchfmt.Result
	trace   []resultset.Event // the first cycle's
	missed  int               // cycles that missed the recovery
	real    int               // cycles measured again on the real clock (RealOnStall)
}

// runCell runs the Count results of one cell and returns them, with the
// trace of its first cycle.
func (m Matrix) runCell(t *testing.T, env Env, sc Scenario) (cellOutcome, error) {
	var o cellOutcome
	for run := 0; run < m.Count; run++ {
		cycles := make([]Cycle, m.Cycles)
		runEnv := env
		for i := range cycles {
			c, err := RunOn(t, m.Clock, sc)
			if m.RealOnStall && errors.As(err, new(*StallError)) {
				if !leaveStalled() {
					return o, fmt.Errorf("%w after %d of its %d runs: %w", ErrCutShort, run, m.Count, err)
				}
				// A goroutine that never blocks stops the virtual
				// clock, never the real one: gRPC-Go's own transparent
				// retry loop does so on some releases (docs/releases.md).
				c, err = RunOn(t, Real, sc)
				runEnv.Clock = Real
				o.real++
			}
			if err != nil {
				return o, err
			}
			if c.Corrupt > 0 {
				return o, fmt.Errorf("%d log entries arrived corrupt: the network damaged data", c.Corrupt)
			}
			if c.Missed() {
				o.missed++
			}
			if run == 0 && i == 0 {
				o.trace = c.Trace
			}
			cycles[i] = c
		}
		o.results = append(o.results, Result(runEnv, sc, cycles))
	}
	return o, nil
}

// MaxStalls is how many stalled bubbles a process with RealOnStall
// leaves spinning before a further stall cuts its cell short: each holds
// a core until the process ends.
const MaxStalls = 2

// ErrCutShort is the error of a cell that RealOnStall cut short: the runs
// it completed were handed to the sink, the others are still to run.
var ErrCutShort = errors.New("cut short by a stalled virtual clock")

// stalledBubbles counts the virtual cycles of this process that stalled
// and were measured again on the real clock.
var stalledBubbles atomic.Int32

// leaveStalled counts one more stalled bubble left spinning, if a process
// may have another.
func leaveStalled() bool {
	if stalledBubbles.Add(1) <= MaxStalls {
		return true
	}
	stalledBubbles.Add(-1)
	return false
}

// StalledBubbles reports how many bubbles of this process stalled and
// were left spinning by RealOnStall: a process with any cannot end its
// tests cleanly, since they never return.
func StalledBubbles() int { return int(stalledBubbles.Load()) }

// ParseList splits a list given as comma- or space-separated words.
func ParseList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// ParseDurations parses a list of durations (see ParseList), the values
// of key, naming a bad one and what is valid.
func ParseDurations(key, s string) ([]time.Duration, error) {
	var ds []time.Duration
	for _, w := range ParseList(s) {
		d, err := time.ParseDuration(w)
		if err != nil {
			return nil, fmt.Errorf("%s %q: not a duration (valid: Go durations such as 1s, 30s, 5m, 45m)", key, w)
		}
		ds = append(ds, d)
	}
	return ds, nil
}
