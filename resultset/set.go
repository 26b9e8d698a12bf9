package resultset

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

// Samples holds the values of one cell (or one throughput benchmark) by
// unit as written, one value per results line, with the number of
// iterations (for a cell, cycles) behind each. A unit a line lacks, such
// as the recovery time of a missed cycle, is simply not there: it is never
// a zero.
type Samples struct {
	vals  map[string][]float64
	iters map[string][]int
}

// Add adds the values of one results line over iters iterations.
func (s *Samples) Add(r *Result) {
	if s.vals == nil {
		s.vals, s.iters = map[string][]float64{}, map[string][]int{}
	}
	for _, v := range r.Values {
		s.vals[v.Unit] = append(s.vals[v.Unit], v.Value)
		s.iters[v.Unit] = append(s.iters[v.Unit], r.Iters)
	}
}

// Values returns the per-line values of unit.
func (s *Samples) Values(unit string) []float64 {
	if s == nil {
		return nil
	}
	return s.vals[unit]
}

// Inapplicable reports whether the cell does not apply to its release
// (UnitInapplicable): it was not measured because it cannot be, which is
// neither a miss nor a gap. Readers show it as n/a.
func (s *Samples) Inapplicable() bool {
	if s == nil {
		return false
	}
	for _, v := range s.vals[UnitInapplicable] {
		if v > 0 {
			return true
		}
	}
	return false
}

// NoReplayNeeded reports whether none of the cell's cycles needed a
// replay: the fault left the server's state in place (rotate), so no
// cycle could miss (missed/op is 0) and none has a recovery time.
// Replays in such cells are spurious (UnitSpurious).
func (s *Samples) NoReplayNeeded() bool {
	k, n := s.Count(UnitMissed)
	return n > 0 && k == 0 && len(s.Values(UnitRecover)) == 0 && s.ReplayMeasured()
}

// ReplayMeasured reports whether the replay measures the cell: whether it
// counts lost messages. A client spread over several backends
// (round_robin), or a service restarted backend by backend (rolling), is
// measured instead by its failed RPCs and the time until every backend is
// READY again (UnitFailedRPCs, UnitAllReady, UnitUnready).
func (s *Samples) ReplayMeasured() bool {
	return len(s.Values(UnitLost)) > 0
}

// Count reads a fraction unit (missed/op, undetected/op): in how many of
// the n cycles behind its lines the event happened. A line's fraction
// counts for as many cycles as it averages.
func (s *Samples) Count(unit string) (k, n int) {
	if s == nil {
		return 0, 0
	}
	var sum float64
	for i, v := range s.vals[unit] {
		sum += v * float64(s.iters[unit][i])
		n += s.iters[unit][i]
	}
	return int(math.Round(sum)), n
}

// Series identifies what must never be pooled: results of one toolchain,
// clock, network and link.
type Series struct{ Go, Clock, Net, Link string }

// Describe says what a series is, in words.
func (s Series) Describe() string {
	return fmt.Sprintf("%s, %s clock, %s, %s link", s.Go, s.Clock, s.Net, s.Link)
}

// Run is one gRPC-Go release measured in one Series.
type Run struct {
	Release string // the linked gRPC-Go version, from the grpc key
	Series
	Label string // the release, plus the series where it is not the usual one

	Cells  map[Cell]*Samples
	Traces map[Cell][]Event // the first cycle of each cell, where a trace file exists
}

// Throughput is the replay throughput (BenchmarkReplay) of one release.
// It always runs on the real clock, so it is kept by release, toolchain
// and link only, beside the reconnect runs.
type Throughput struct {
	Release, Go, Link string
	Label             string
	Bench             map[string]*Samples // by benchmark name, such as "Replay/mode=stream"
}

// Set is everything read from results files, grouped by release, series
// and cell.
type Set struct {
	Runs       []*Run // by release (semver), the usual series first
	Main       Series // the series most runs have; the others are labelled
	Strategies []string
	Faults     []string
	Traffic    []string
	// The values of the other keys that the cells have, sorted.
	Downtimes  []time.Duration
	Quiets     []time.Duration
	Clients    []string
	Throughput []*Throughput // by release
	Files      []string
	// Conditions are those of Cell: the absent values (NewCell) for a
	// Set from Load, the ones it holds for a Set from Only.
	Conditions Conditions
}

// Conditions are the keys of a cell beyond its strategy, fault and
// traffic: what the cycle's timing and client were.
type Conditions struct {
	Downtime, Quiet time.Duration
	Client          string
	// The service the client reaches: its resolver, its backends and
	// the policy over them.
	Resolver string
	Backends int
	Policy   string
}

// Conditions returns the cell's conditions.
func (c Cell) Conditions() Conditions {
	return Conditions{Downtime: c.Downtime, Quiet: c.Quiet, Client: c.Client, Resolver: c.Resolver, Backends: c.Backends, Policy: c.Policy}
}

// Cell returns the cell of strategy, fault and traffic under these
// conditions.
func (k Conditions) Cell(strategy, fault, traffic string) Cell {
	return Cell{Strategy: strategy, Fault: fault, Traffic: traffic, Downtime: k.Downtime, Quiet: k.Quiet, Client: k.Client,
		Resolver: k.Resolver, Backends: k.Backends, Policy: k.Policy}
}

// String describes the conditions, as "downtime 1s, quiet 2s, dial", and
// the service where it is not the one backend behind passthrough with
// pick_first: "downtime 1s, quiet 2s, dial, dns, 3 backends, round_robin".
func (k Conditions) String() string {
	s := fmt.Sprintf("downtime %v, quiet %v, %s", k.Downtime, k.Quiet, k.Client)
	if k.Resolver != AbsentResolver || k.Backends != AbsentBackends || k.Policy != AbsentPolicy {
		s += ", " + k.Service()
	}
	return s
}

// Service describes the service alone: "passthrough, 1 backend,
// pick_first".
func (k Conditions) Service() string {
	n := "backends"
	if k.Backends == 1 {
		n = "backend"
	}
	return fmt.Sprintf("%s, %d %s, %s", k.Resolver, k.Backends, n, k.Policy)
}

// Cell returns the cell of strategy, fault and traffic under the set's
// Conditions.
func (d *Set) Cell(strategy, fault, traffic string) Cell {
	return d.Conditions.Cell(strategy, fault, traffic)
}

// AllConditions returns the conditions the set's cells were measured
// under, the absent ones (NewCell's) first, then in order of the service
// (the passthrough resolver first, backends, policy), downtime, quiet
// time and client.
func (d *Set) AllConditions() []Conditions {
	seen := map[Conditions]bool{}
	var out []Conditions
	for _, r := range d.Runs {
		for c := range r.Cells {
			if k := c.Conditions(); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	absent := NewCell("", "", "").Conditions()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case (a == absent) != (b == absent):
			return a == absent
		case a.Resolver != b.Resolver:
			return a.Resolver > b.Resolver // passthrough first
		case a.Backends != b.Backends:
			return a.Backends < b.Backends
		case a.Policy != b.Policy:
			return a.Policy < b.Policy
		case a.Downtime != b.Downtime:
			return a.Downtime < b.Downtime
		case a.Quiet != b.Quiet:
			return a.Quiet < b.Quiet
		}
		return a.Client < b.Client
	})
	return out
}

// Only returns a copy of the set that holds only the cells measured under
// conditions k, and whose Cell builds cells under them. Throughput is
// kept; strategies, faults and traffic modes are those of the whole set.
func (d *Set) Only(k Conditions) *Set {
	o := *d
	o.Conditions = k
	o.Runs = nil
	for _, r := range d.Runs {
		rc := *r
		rc.Cells, rc.Traces = map[Cell]*Samples{}, nil
		for c, s := range r.Cells {
			if c.Conditions() == k {
				rc.Cells[c] = s
			}
		}
		for c, ev := range r.Traces {
			if c.Conditions() == k {
				if rc.Traces == nil {
					rc.Traces = map[Cell][]Event{}
				}
				rc.Traces[c] = ev
			}
		}
		if len(rc.Cells) > 0 {
			o.Runs = append(o.Runs, &rc)
		}
	}
	// The faults and traffic modes of these cells only: a fault that
	// needs another service (rolling) has none under k.
	faults, traffic := map[string]bool{}, map[string]bool{}
	for _, r := range o.Runs {
		for c := range r.Cells {
			faults[c.Fault], traffic[c.Traffic] = true, true
		}
	}
	o.Faults = slices.DeleteFunc(slices.Clone(d.Faults), func(f string) bool { return !faults[f] })
	o.Traffic = slices.DeleteFunc(slices.Clone(d.Traffic), func(t string) bool { return !traffic[t] })
	return &o
}

// OnlyReleases returns the set with the runs of the given releases alone,
// of every series; the throughput results are kept whole.
func (d *Set) OnlyReleases(releases []string) *Set {
	o := *d
	o.Runs = slices.DeleteFunc(slices.Clone(d.Runs), func(r *Run) bool { return !slices.Contains(releases, r.Release) })
	return &o
}

// Load reads results files and the trace file beside each, if there is
// one. Every problem is an error naming the file and, where there is one,
// the line.
func Load(files []string) (*Set, error) {
	l := &loader{runs: map[string]*Run{}, tput: map[string]*Throughput{},
		strategies: map[string]bool{}, faults: map[string]bool{}, traffic: map[string]bool{},
		downtimes: map[time.Duration]bool{}, quiets: map[time.Duration]bool{}, clients: map[string]bool{}}
	for _, file := range files {
		if err := l.file(file); err != nil {
			return nil, err
		}
	}
	d := &Set{Files: files, Strategies: sortedKeys(l.strategies), Faults: sortedKeys(l.faults),
		Traffic: OrderTraffic(sortedKeys(l.traffic)), Downtimes: sortedKeys(l.downtimes), Quiets: sortedKeys(l.quiets),
		Clients: sortedKeys(l.clients), Conditions: NewCell("", "", "").Conditions()}
	for _, r := range l.runs {
		d.Runs = append(d.Runs, r)
	}
	for _, t := range l.tput {
		d.Throughput = append(d.Throughput, t)
	}
	d.Main = mainSeries(d.Runs)
	sort.Slice(d.Runs, func(i, j int) bool { return runLess(d.Runs[i], d.Runs[j], d.Main) })
	for _, r := range d.Runs {
		r.Label = label(r.Release, r.Series, d.Main)
	}
	// Throughput runs on the real clock by design: its series is the
	// toolchain and link alone.
	tputMain := Series{Go: d.Main.Go, Link: d.Main.Link}
	tputSeries := func(t *Throughput) *Run { return &Run{Release: t.Release, Series: Series{Go: t.Go, Link: t.Link}} }
	sort.Slice(d.Throughput, func(i, j int) bool {
		return runLess(tputSeries(d.Throughput[i]), tputSeries(d.Throughput[j]), tputMain)
	})
	for _, t := range d.Throughput {
		t.Label = label(t.Release, Series{Go: t.Go, Link: t.Link}, tputMain)
	}
	return d, nil
}

// LoadDir loads every results file of the folder dir (see Files).
func LoadDir(dir string) (*Set, error) {
	files, err := Files(dir)
	if err != nil {
		return nil, err
	}
	return Load(files)
}

// loader accumulates runs over files.
type loader struct {
	runs       map[string]*Run
	tput       map[string]*Throughput
	strategies map[string]bool
	faults     map[string]bool
	traffic    map[string]bool
	downtimes  map[time.Duration]bool
	quiets     map[time.Duration]bool
	clients    map[string]bool
}

func (l *loader) file(file string) error {
	rs, err := ReadFile(file)
	if err != nil {
		return err
	}
	runOf := map[Cell]*Run{} // this file's cells, for its traces
	for _, r := range rs {
		// The file's check has made sure these are there and consistent.
		release := r.Config("grpc")
		s := Series{Go: r.Config("go"), Clock: r.Config("clock"), Net: r.Config("net"), Link: r.Config("link")}
		if s.Net == "" {
			s.Net = "netsim" // results from before the tcp network existed
		}
		switch r.Name.Base {
		case Replay:
			key := release + " " + s.Go + " " + s.Link
			t := l.tput[key]
			if t == nil {
				t = &Throughput{Release: release, Go: s.Go, Link: s.Link, Bench: map[string]*Samples{}}
				l.tput[key] = t
			}
			addTo(t.Bench, r.Name.String(), r)
		case Reconnect:
			c, err := r.Cell()
			if err != nil {
				return err // the file's check caught it already
			}
			key := release + " " + s.Go + " " + s.Clock + " " + s.Net + " " + s.Link
			run := l.runs[key]
			if run == nil {
				run = &Run{Release: release, Series: s, Cells: map[Cell]*Samples{}}
				l.runs[key] = run
			}
			l.strategies[c.Strategy], l.faults[c.Fault], l.traffic[c.Traffic] = true, true, true
			l.downtimes[c.Downtime], l.quiets[c.Quiet], l.clients[c.Client] = true, true, true
			addTo(run.Cells, c, r)
			runOf[c] = run
		}
		// Other benchmarks, such as BenchmarkTransport, are not grouped.
	}
	traces, err := ReadTraceFile(TracePath(file))
	if err != nil {
		return err
	}
	for _, t := range traces {
		run, ok := runOf[t.Cell]
		if !ok {
			continue // a cell without results in this file: nothing to show it beside
		}
		if run.Traces == nil {
			run.Traces = map[Cell][]Event{}
		}
		run.Traces[t.Cell] = t.Events
	}
	return nil
}

func addTo[K comparable](m map[K]*Samples, k K, r *Result) {
	s := m[k]
	if s == nil {
		s = &Samples{}
		m[k] = s
	}
	s.Add(r)
}

// mainSeries is the series with the most cells measured, usually the
// one every release was run in; its runs are labelled by release alone.
func mainSeries(runs []*Run) Series {
	n := map[Series]int{}
	for _, r := range runs {
		n[r.Series] += len(r.Cells)
	}
	var best Series
	for s, k := range n {
		if k > n[best] || k == n[best] && fmt.Sprint(s) < fmt.Sprint(best) {
			best = s
		}
	}
	return best
}

// runLess orders runs by release (semver, not lexically), the main series
// first among runs of one release.
func runLess(a, b *Run, main Series) bool {
	if c := semver.Compare(a.Release, b.Release); c != 0 {
		return c < 0
	}
	if (a.Series == main) != (b.Series == main) {
		return a.Series == main
	}
	return fmt.Sprint(a.Series) < fmt.Sprint(b.Series)
}

// label names a run by its release, adding in parentheses what differs
// from the main series: "v1.85.0 (real)", "v1.85.0 (go1.23.12, real)".
func label(release string, s, main Series) string {
	var diff []string
	if s.Go != main.Go {
		diff = append(diff, s.Go)
	}
	if s.Clock != main.Clock {
		diff = append(diff, s.Clock)
	}
	if s.Net != main.Net {
		diff = append(diff, s.Net)
	}
	if s.Link != main.Link {
		diff = append(diff, s.Link)
	}
	if len(diff) == 0 {
		return release
	}
	return release + " (" + strings.Join(diff, ", ") + ")"
}

// SeriesRuns splits the runs by series, each in release order, the main
// series first.
func (d *Set) SeriesRuns() [][]*Run {
	var order []Series
	by := map[Series][]*Run{}
	for _, r := range d.Runs {
		if by[r.Series] == nil {
			order = append(order, r.Series)
		}
		by[r.Series] = append(by[r.Series], r)
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if (a == d.Main) != (b == d.Main) {
			return a == d.Main
		}
		return fmt.Sprint(a) < fmt.Sprint(b)
	})
	out := make([][]*Run, 0, len(order))
	for _, s := range order {
		out = append(out, by[s])
	}
	return out
}

// FindRun returns the run of the newest release of the main series, or the
// one named by release or label.
func (d *Set) FindRun(name string) (*Run, error) {
	if name == "" {
		var newest *Run
		for _, r := range d.Runs {
			if r.Series == d.Main {
				newest = r
			}
		}
		return newest, nil
	}
	var labels []string
	var byRelease *Run
	for _, r := range d.Runs {
		if r.Label == name {
			return r, nil
		}
		if r.Release == name && (byRelease == nil || r.Series == d.Main) {
			byRelease = r
		}
		labels = append(labels, r.Label)
	}
	if byRelease != nil {
		return byRelease, nil
	}
	return nil, fmt.Errorf("release %q is not in the results (have: %s)", name, strings.Join(labels, ", "))
}

func sortedKeys[K string | time.Duration](m map[K]bool) []K {
	s := make([]K, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

// OrderTraffic puts traffic modes in the order of the question: idle
// first, the case of grpc-go#7688, then the modes that wake the channel,
// the rarest first.
func OrderTraffic(t []string) []string {
	rank := func(s string) int {
		for i, m := range []string{"idle", "rare", "busy", "stream"} {
			if s == m {
				return i
			}
		}
		return 4
	}
	sort.SliceStable(t, func(i, j int) bool { return rank(t[i]) < rank(t[j]) })
	return t
}
