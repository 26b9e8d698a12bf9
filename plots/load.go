package main

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/semver"
	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/bench"
)

// Cell is where a strategy meets a fault and a traffic mode.
type Cell struct{ Strategy, Fault, Traffic string }

func (c Cell) String() string { return c.Fault + "/" + c.Traffic }

// Samples holds the values of one cell (or one throughput benchmark) by
// unit as benchfmt tidies it (recover-sec/op, missed/op, msgs/s, ...), one
// value per result line, with the number of cycles (iterations) behind
// each. A unit a line lacks, such as the recovery time of a missed cycle,
// is simply not there: it is never a zero.
type Samples struct {
	vals  map[string][]float64
	iters map[string][]int
}

func (s *Samples) add(unit string, v float64, iters int) {
	if s.vals == nil {
		s.vals, s.iters = map[string][]float64{}, map[string][]int{}
	}
	s.vals[unit] = append(s.vals[unit], v)
	s.iters[unit] = append(s.iters[unit], iters)
}

// Values returns the per-line values of unit.
func (s *Samples) Values(unit string) []float64 {
	if s == nil {
		return nil
	}
	return s.vals[unit]
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

// Run is one gRPC-Go release measured in one Series.
type Run struct {
	Release string // the linked gRPC-Go version, from the grpc key
	Series
	Label string // the release, plus the series where it is not the usual one

	Cells  map[Cell]*Samples
	Traces map[Cell][]bench.Event // the first cycle of each cell, where a trace file exists
}

// Throughput is the replay throughput (BenchmarkReplay) of one release.
// It always runs on the real clock, so it is kept by release, toolchain
// and link only, beside the reconnect runs.
type Throughput struct {
	Release, Go, Link string
	Label             string
	Bench             map[string]*Samples // by "strategy/mode"
}

// Dataset is everything read from a results folder.
type Dataset struct {
	Runs       []*Run // by release (semver), the usual series first
	Main       Series // the series most runs have; the others are labelled
	Strategies []string
	Faults     []string
	Traffic    []string
	Throughput []*Throughput // by release
	Files      []string
}

// resultsFiles lists the release results files in dir.
func resultsFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "grpc-*.txt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("results folder %q cannot be read (%v): give -results a folder make bench wrote, such as results", dir, err)
		}
		return nil, fmt.Errorf("%s: no results files (grpc-*.txt): run make bench first", dir)
	}
	return files, nil
}

// loader accumulates runs over files.
type loader struct {
	runs       map[string]*Run
	tput       map[string]*Throughput
	strategies map[string]bool
	faults     map[string]bool
	traffic    map[string]bool
}

// Load reads results files, and the trace file next to each if there is
// one. Every problem is an error naming the file and, where there is one,
// the line.
func Load(files []string) (*Dataset, error) {
	l := &loader{runs: map[string]*Run{}, tput: map[string]*Throughput{},
		strategies: map[string]bool{}, faults: map[string]bool{}, traffic: map[string]bool{}}
	for _, file := range files {
		if err := l.file(file); err != nil {
			return nil, err
		}
	}
	d := &Dataset{Files: files, Strategies: keys(l.strategies), Faults: keys(l.faults),
		Traffic: orderTraffic(keys(l.traffic))}
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

func (l *loader) file(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r := benchfmt.NewReader(f, file)
	check := bench.NewFileCheck(file)
	results := 0
	cellRun := map[string]cellOf{} // this file's cells by benchmark name, for its traces
	for r.Scan() {
		var res *benchfmt.Result
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			return rec // "file:line: message"
		case *benchfmt.Result:
			res = rec
		default:
			continue
		}
		results++
		err := check.Check(res)
		if err == nil {
			err = l.result(res, cellRun)
		}
		if err != nil {
			fn, line := res.Pos()
			return fmt.Errorf("%s:%d: %s: %w", fn, line, res.Name.Full(), err)
		}
	}
	if err := r.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			// benchfmt names the line before the one too long to scan.
			return fmt.Errorf("%s:%d: line longer than %d bytes: not a results line", file, longLine(file, bufio.MaxScanTokenSize), bufio.MaxScanTokenSize-1)
		}
		return err
	}
	if results == 0 {
		return fmt.Errorf("%s: no benchmark results in the file", file)
	}
	return loadTraces(bench.TracePath(file), cellRun)
}

// longLine returns the number of the first line of file that does not fit,
// newline included, in limit bytes, or 0 if it cannot tell.
func longLine(file string, limit int) int {
	f, err := os.Open(file)
	if err != nil {
		return 0
	}
	defer f.Close()
	br := bufio.NewReader(f)
	for line, n := 1, 0; ; {
		b, err := br.ReadByte()
		if err != nil {
			return 0
		}
		if n++; n >= limit && b != '\n' {
			return line
		}
		if b == '\n' {
			line, n = line+1, 0
		}
	}
}

// cellOf is where a trace belongs.
type cellOf struct {
	run  *Run
	cell Cell
}

func (l *loader) result(res *benchfmt.Result, cellRun map[string]cellOf) error {
	base, parts := res.Name.Parts()
	if string(base) != "Reconnect" && string(base) != "Replay" {
		return nil // benchmarks this report does not draw, such as BenchmarkTransport
	}
	kv := map[string]string{}
	for _, p := range parts {
		if k, v, ok := strings.Cut(strings.TrimPrefix(string(p), "/"), "="); ok {
			kv[k] = v
		}
	}
	if err := checkValues(res); err != nil {
		return err
	}
	// The file's check has made sure these are there and consistent.
	release := res.GetConfig("grpc")
	s := Series{Go: res.GetConfig("go"), Clock: res.GetConfig("clock"), Net: res.GetConfig("net"), Link: res.GetConfig("link")}
	if s.Net == "" {
		s.Net = "netsim" // results from before the tcp network existed
	}

	if string(base) == "Replay" {
		if kv["strategy"] == "" || kv["mode"] == "" {
			return errors.New("want strategy= and mode= in the name")
		}
		key := release + " " + s.Go + " " + s.Link
		t := l.tput[key]
		if t == nil {
			t = &Throughput{Release: release, Go: s.Go, Link: s.Link, Bench: map[string]*Samples{}}
			l.tput[key] = t
		}
		add(t.Bench, kv["strategy"]+"/"+kv["mode"], res)
		return nil
	}

	c := Cell{kv["strategy"], kv["scenario"], kv["traffic"]}
	if c.Strategy == "" || c.Fault == "" || c.Traffic == "" {
		return errors.New("want strategy=, scenario= and traffic= in the name")
	}
	key := release + " " + s.Go + " " + s.Clock + " " + s.Net + " " + s.Link
	run := l.runs[key]
	if run == nil {
		run = &Run{Release: release, Series: s, Cells: map[Cell]*Samples{}}
		l.runs[key] = run
	}
	l.strategies[c.Strategy], l.faults[c.Fault], l.traffic[c.Traffic] = true, true, true
	add(run.Cells, c, res)
	cellRun["Benchmark"+string(res.Name.Full())] = cellOf{run, c}
	return nil
}

// fractionUnits are the units whose value is the fraction of a line's
// cycles in which something happened (see Samples.Count).
var fractionUnits = map[string]bool{"missed/op": true, "undetected/op": true}

// checkValues rejects what no benchmark run writes and what would turn
// into nonsense in a figure: a line of fewer than one cycle, a value that
// is not a finite non-negative number, a fraction above 1.
func checkValues(res *benchfmt.Result) error {
	if res.Iters < 1 {
		return fmt.Errorf("iteration count %d: want at least 1", res.Iters)
	}
	for _, v := range res.Values {
		unit, val := v.Unit, v.Value
		if v.OrigUnit != "" {
			unit, val = v.OrigUnit, v.OrigValue // as written in the file
		}
		switch {
		case math.IsNaN(v.Value) || math.IsInf(v.Value, 0) || v.Value < 0:
			return fmt.Errorf("%s %v: want a finite number, at least 0", unit, val)
		case fractionUnits[v.Unit] && v.Value > 1:
			return fmt.Errorf("%s %v: want a fraction of the cycles, 0 to 1", unit, val)
		}
	}
	return nil
}

func add[K comparable](m map[K]*Samples, k K, res *benchfmt.Result) {
	s := m[k]
	if s == nil {
		s = &Samples{}
		m[k] = s
	}
	for _, v := range res.Values {
		s.add(v.Unit, v.Value, res.Iters)
	}
}

// loadTraces attaches the trace file at path, if it exists, to the runs
// its results file filled: each cell's trace to the run of that cell.
func loadTraces(path string, cellRun map[string]cellOf) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // traces are optional: the timelines are skipped
	}
	if err != nil {
		return err
	}
	defer f.Close()
	traces, err := bench.ReadTraces(f, path)
	if err != nil {
		return err
	}
	for _, t := range traces {
		at, ok := cellRun[t.Cell]
		if !ok {
			continue // a cell without results in this file: nothing to show it beside
		}
		if at.run.Traces == nil {
			at.run.Traces = map[Cell][]bench.Event{}
		}
		at.run.Traces[at.cell] = t.Events
	}
	return nil
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

// describe says what a series is, for the report.
func (s Series) describe() string {
	return fmt.Sprintf("%s, %s clock, %s, %s link", s.Go, s.Clock, s.Net, s.Link)
}

// seriesRuns splits runs by series, each in release order, the main series
// first.
func seriesRuns(d *Dataset) [][]*Run {
	var order []Series
	by := map[Series][]*Run{}
	for _, r := range d.Runs {
		if by[r.Series] == nil {
			order = append(order, r.Series)
		}
		by[r.Series] = append(by[r.Series], r)
	}
	slices.SortStableFunc(order, func(a, b Series) int {
		switch {
		case a == d.Main:
			return -1
		case b == d.Main:
			return 1
		}
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	var out [][]*Run
	for _, s := range order {
		out = append(out, by[s])
	}
	return out
}

// findRun returns the run of the newest release of the main series, or the
// one named by release or label.
func findRun(d *Dataset, name string) (*Run, error) {
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

func keys(m map[string]bool) []string {
	s := make([]string, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// orderTraffic puts the traffic modes in the order of the question: idle
// first, the case of grpc-go#7688, then the modes that wake the channel.
func orderTraffic(t []string) []string {
	rank := func(s string) int {
		if i := slices.Index([]string{"idle", "busy", "stream"}, s); i >= 0 {
			return i
		}
		return 3
	}
	sort.SliceStable(t, func(i, j int) bool { return rank(t[i]) < rank(t[j]) })
	return t
}
