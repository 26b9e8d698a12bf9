package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/semver"
	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

// cellMetrics are the units bisect can follow in a reconnect cell.
var cellMetrics = []string{resultset.UnitRecover, resultset.UnitMissed, resultset.UnitDetect, resultset.UnitUndetected,
	resultset.UnitDials, resultset.UnitLost, resultset.UnitDuplicated, resultset.UnitReplays,
	resultset.UnitFailedRPCs, resultset.UnitAllReady, resultset.UnitUnready}

// throughputBenches are the throughput benchmarks bisect can follow, as
// the patterns their names match.
var throughputBenches = []string{"Replay/mode=stream|unary", "Transport/net=netsim|bufconn|tcp/load=raw|stream|log"}

type bisectConfig struct {
	run       *runConfig
	metric    string
	good, bad string
	between   []string // every release from good to bad, patches included
	results   string   // where the bisection is written, in its bisect/ folder

	// A throughput benchmark instead of a cell: each probe runs it in
	// rounds of fresh processes beside good, rounds of them.
	bench     resultset.Name
	rounds    int
	benchtime string

	boundaries bool // confirm every boundary of results instead
}

func (b *bisectConfig) throughput() bool { return b.bench.Base != "" }

// what is what is bisected, for messages.
func (b *bisectConfig) what() string {
	if b.throughput() {
		return b.bench.String()
	}
	return b.run.matrix.Scenarios()[0].Name()
}

func parseBisectFlags(args []string) (*bisectConfig, error) {
	fs := flag.NewFlagSet("bisect", flag.ContinueOnError)
	var (
		strategy  = fs.String("strategy", "", "strategy (a cell: with -fault and -traffic)")
		fault     = fs.String("fault", "", "fault")
		traffic   = fs.String("traffic", "", "traffic mode")
		downtime  = fs.String("downtime", bench.DefaultDowntime.String(), "downtime of the cell")
		quiet     = fs.String("quiet", bench.DefaultQuiet.String(), "quiet time of the cell")
		client    = fs.String("client", string(bench.DefaultClient), "client of the cell: dial or newclient")
		resolver  = fs.String("resolver", string(bench.DefaultResolver), "resolver of the cell: passthrough or dns")
		backends  = fs.Int("backends", bench.DefaultBackends, "backends of the cell")
		policy    = fs.String("policy", string(bench.DefaultPolicy), "load-balancing policy of the cell: pick_first or round_robin")
		benchName = fs.String("bench", "", "a throughput benchmark instead of a cell: "+strings.Join(throughputBenches, ", "))
		metric    = fs.String("metric", "", "metric to follow: for a cell "+strings.Join(cellMetrics, ", ")+" (default missed/op); for a benchmark a unit it reports (default msgs/s)")
		good      = fs.String("good", "", "a release where the metric has its old value (required)")
		bad       = fs.String("bad", "", "a later release where it has changed (required)")
		count     = fs.Int("count", 6, "runs per release, for a cell")
		rounds    = fs.Int("rounds", 12, "rounds per release, for a benchmark")
		benchtime = fs.String("benchtime", "300ms", "go test -benchtime of each run of a benchmark")
		toolchain = fs.String("go", "", "Go toolchain such as go1.23.12")
		clock     = fs.String("clock", string(bench.Virtual), "virtual or real, for a cell")
		results   = fs.String("results", "results", "results folder: the bisection goes in its bisect/ folder")
		verbose   = fs.Bool("v", false, "print a line per run")
		bounds    = fs.Bool("boundaries", false, "confirm every behaviour boundary of -results instead, each down to its exact release, patches included")
	)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if err := noArgs(fs); err != nil {
		return nil, err
	}
	b := &bisectConfig{good: *good, bad: *bad, results: *results, rounds: *rounds, benchtime: *benchtime, metric: *metric, boundaries: *bounds}
	m := bench.DefaultMatrix()
	switch {
	case b.boundaries:
		if *strategy != "" || *fault != "" || *traffic != "" || *benchName != "" || *good != "" || *bad != "" {
			return nil, fmt.Errorf("BOUNDARIES=1 confirms the boundaries RESULTS holds: give no cell, BENCH, GOOD or BAD with it")
		}
		if m.Count = *count; m.Count < 1 {
			return nil, fmt.Errorf("COUNT %d: must be a whole number of runs, at least 1", m.Count)
		}
		if _, err := resultset.Files(*results); err != nil {
			return nil, err
		}
		b.run = &runConfig{matrix: m, link: netsim.Local.Name, verbose: *verbose, jobs: defaultJobs(m.Clock)}
		return b, b.run.resolveToolchain(*toolchain)
	case *benchName != "":
		if *strategy != "" || *fault != "" || *traffic != "" {
			return nil, fmt.Errorf("BENCH=%s and a cell (STRATEGY, FAULT, TRAFFIC): give one or the other", *benchName)
		}
		n, err := resultset.ParseName(*benchName)
		if err != nil || !throughputBench(n) {
			return nil, fmt.Errorf("BENCH %q: want a throughput benchmark, %s", *benchName, strings.Join(throughputBenches, " or "))
		}
		b.bench = n
		if b.metric == "" {
			b.metric = resultset.UnitMsgsPerS
		}
		if b.rounds < 1 {
			return nil, fmt.Errorf("ROUNDS %d: must be a whole number of rounds, at least 1", b.rounds)
		}
		if !validBenchtime(b.benchtime) {
			return nil, fmt.Errorf("-benchtime %q: want a duration such as 500ms or a number of iterations such as 100x", b.benchtime)
		}
		m.Count, m.Clock = 1, bench.Real
	default:
		traffics := make([]string, 0, len(bench.TrafficModes()))
		for _, t := range bench.TrafficModes() {
			traffics = append(traffics, string(t))
		}
		for _, f := range []struct{ name, v, valid string }{
			{"STRATEGY", *strategy, strings.Join(bench.DefaultMatrix().Strategies, ", ") + "; or BENCH, a throughput benchmark"},
			{"FAULT", *fault, strings.Join(netsim.FaultNames(), ", ")},
			{"TRAFFIC", *traffic, strings.Join(traffics, ", ")},
		} {
			if f.v == "" {
				return nil, fmt.Errorf("bisect needs %s (%s)", f.name, f.valid)
			}
		}
		if b.metric == "" {
			b.metric = resultset.UnitMissed
		}
		if !slices.Contains(cellMetrics, b.metric) {
			return nil, fmt.Errorf("unknown metric %q (valid: %s)", b.metric, strings.Join(cellMetrics, ", "))
		}
		m.Strategies, m.Faults, m.Traffic = []string{*strategy}, []string{*fault}, []bench.Traffic{bench.Traffic(*traffic)}
		var err error
		if m.Downtimes, err = oneDuration("DOWNTIME", *downtime); err != nil {
			return nil, err
		}
		if m.Quiets, err = oneDuration("QUIET", *quiet); err != nil {
			return nil, err
		}
		m.Clients = []bench.Client{bench.Client(*client)}
		m.Resolvers, m.Backends, m.Policies = []bench.Resolver{bench.Resolver(*resolver)}, []int{*backends}, []bench.Policy{bench.Policy(*policy)}
		if m.Count = *count; m.Count < 1 {
			return nil, fmt.Errorf("COUNT %d: must be a whole number of runs, at least 1", m.Count)
		}
		if m.Clock, err = bench.ParseClock(*clock); err != nil {
			return nil, err
		}
		if err := m.Validate(); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct{ name, v, valid string }{
		{"GOOD", *good, "a release such as v1.30.0"},
		{"BAD", *bad, "a later release such as v1.85.0"},
	} {
		if f.v == "" {
			return nil, fmt.Errorf("bisect needs %s (%s)", f.name, f.valid)
		}
	}
	rels, err := versions.ProxyReleases()
	if err != nil {
		return nil, err
	}
	for _, v := range []string{*good, *bad} {
		if err := versions.CheckRelease(v, rels); err != nil {
			return nil, err
		}
	}
	if semver.Compare(*good, *bad) >= 0 {
		return nil, fmt.Errorf("GOOD %s must be older than BAD %s", *good, *bad)
	}
	if err := checkWritable(*results); err != nil {
		return nil, err
	}
	b.run = &runConfig{matrix: m, link: netsim.Local.Name, verbose: *verbose, jobs: defaultJobs(m.Clock)}
	b.between = []string{*good}
	for _, v := range rels {
		if semver.Compare(v, *good) > 0 && semver.Compare(v, *bad) < 0 {
			b.between = append(b.between, v)
		}
	}
	b.between = append(b.between, *bad)
	if err := b.run.resolveToolchain(*toolchain); err != nil {
		return nil, err
	}
	return b, nil
}

// throughputBench reports whether n is one of the throughput benchmarks.
func throughputBench(n resultset.Name) bool {
	keys := func(ks ...string) bool {
		if len(n.Keys) != len(ks)/2 {
			return false
		}
		for i, k := range n.Keys {
			if k.Key != ks[2*i] || !slices.Contains(strings.Split(ks[2*i+1], "|"), k.Value) {
				return false
			}
		}
		return true
	}
	switch n.Base {
	case resultset.Replay:
		return keys("mode", strings.Join(bench.ReplayModes, "|"))
	case resultset.Transport:
		return keys("net", "netsim|bufconn|tcp", "load", "raw|stream|log")
	}
	return false
}

// runBisect finds the first release where a cell's or a throughput
// benchmark's metric changes (make bisect).
func runBisect(args []string) error {
	b, err := parseBisectFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	if b.boundaries {
		return b.bisectBoundaries(ctx, b.results)
	}
	return b.bisect(ctx)
}

// probe is one release measured.
type probe struct {
	release string
	results []*benchfmt.Result // its results, and those of good measured beside it
	values  []float64          // the metric, one per run; empty when it never happened
	// ref is good's metric measured in the same rounds, for a throughput
	// benchmark; nil for a cell, whose virtual clock does not drift.
	ref []float64
}

// bisect finds the first release after good whose metric differs from
// good's beyond noise, assuming one boundary between good and bad, and
// writes the bisection into the results folder.
func (b *bisectConfig) bisect(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "reconnbench-bisect-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bins := map[string]string{}
	measure := func(v string) (*probe, error) {
		p, err := b.measure(ctx, tmp, bins, v)
		if err == nil {
			fmt.Fprintf(os.Stderr, "bisect: %-9s %s %s\n", v, b.metric, b.describe(p))
		}
		return p, err
	}
	how := fmt.Sprintf("%d runs each", b.run.matrix.Count)
	if b.throughput() {
		how = fmt.Sprintf("each in %d rounds of fresh processes beside %s, in alternating order", b.rounds, b.good)
	}
	fmt.Fprintf(os.Stderr, "bisect: %s between %s and %s: %d releases, about %d to measure, %s\n",
		b.what(), b.good, b.bad, len(b.between), 2+log2(len(b.between)), how)
	lo, err := measure(b.good)
	if err != nil {
		return err
	}
	hi, err := measure(b.bad)
	if err != nil {
		return err
	}
	if !b.differ(lo, hi) {
		return fmt.Errorf("%s does not differ beyond noise between %s and %s (%s): nothing to bisect",
			b.metric, b.good, b.bad, b.describe(hi))
	}
	good := lo
	i, j := 0, len(b.between)-1
	for j-i > 1 {
		mid := (i + j) / 2
		p, err := measure(b.between[mid])
		if err != nil {
			return err
		}
		if b.differ(good, p) {
			j, hi = mid, p
		} else {
			i, lo = mid, p
		}
	}
	fmt.Printf("first release where %s of %s differs from %s: %s (the last release like %s: %s)\n",
		b.metric, b.what(), b.good, hi.release, b.good, lo.release)
	name := b.bench
	if !b.throughput() {
		name = b.run.matrix.Scenarios()[0].Cell().Name()
	}
	bis := resultset.Bisection{Name: name, Metric: b.metric, Good: b.good, Bad: b.bad, First: hi.release, Last: lo.release, Paired: b.throughput()}
	path, err := resultset.WriteBisection(filepath.Join(b.results, resultset.BisectionDir), bis, append(lo.results, hi.results...))
	if err != nil {
		return err
	}
	fmt.Printf("written to %s\n\n", path)
	col := "grpc"
	cmd := exec.CommandContext(ctx, "go", "tool", "benchstat", "-col", col, "-ignore", "bisect-first,bisect-last", path)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// binary builds the test binary of release v once, making its module
// files in tmp when the release is not tracked.
func (b *bisectConfig) binary(ctx context.Context, tmp string, bins map[string]string, v string) (string, error) {
	if bin, ok := bins[v]; ok {
		return bin, nil
	}
	modFile := versions.ModFile(versions.Dir, v)
	if _, err := os.Stat(modFile); err != nil {
		vdir := filepath.Join(tmp, v)
		if err := versions.WriteModFiles(".", vdir, v); err != nil {
			return "", err
		}
		modFile = filepath.Join(vdir, "go.mod")
	}
	bin, err := b.run.build(ctx, tmp, modFile, v)
	if err != nil {
		return "", fmt.Errorf("gRPC-Go %s: %w", v, err)
	}
	bins[v] = bin
	return bin, nil
}

// measure measures the metric on release v: the cell's runs, or the
// benchmark's rounds beside good.
func (b *bisectConfig) measure(ctx context.Context, tmp string, bins map[string]string, v string) (*probe, error) {
	bin, err := b.binary(ctx, tmp, bins, v)
	if err != nil {
		return nil, err
	}
	p := &probe{release: v}
	if b.throughput() {
		if v == b.good {
			return p, nil // measured beside each probe
		}
		ref, err := b.binary(ctx, tmp, bins, b.good)
		if err != nil {
			return nil, err
		}
		return p, b.measureBeside(ctx, p, ref, bin)
	}
	file := filepath.Join(tmp, "grpc-"+v+".txt")
	if err := b.run.runMatrix(ctx, bin, v, b.run.matrix, []resultset.Cell{b.run.matrix.Scenarios()[0].Cell()}, file, false); err != nil {
		return nil, fmt.Errorf("gRPC-Go %s: %w", v, err)
	}
	rs, err := resultset.ReadFile(file)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		p.results = append(p.results, r.Record())
		if x, ok := r.Value(b.metric); ok {
			p.values = append(p.values, x)
		}
	}
	return p, nil
}

// measureBeside runs the benchmark with the binaries of good (ref) and of the
// probe, each once a round in a process of its own, in alternating order,
// so that a drift of the machine weighs on both alike.
func (b *bisectConfig) measureBeside(ctx context.Context, p *probe, ref, bin string) error {
	sides := []struct {
		release, bin string
		values       *[]float64
	}{{b.good, ref, &p.ref}, {p.release, bin, &p.values}}
	for round := 0; round < b.rounds; round++ {
		for k := range sides {
			side := sides[k]
			if round%2 == 1 {
				side = sides[len(sides)-1-k]
			}
			rs, err := runLeaf(ctx, side.bin, b.bench.String(), b.benchtime)
			if err == nil && len(rs) != 1 {
				err = fmt.Errorf("%d results in one run, want 1", len(rs))
			}
			if err != nil {
				return fmt.Errorf("gRPC-Go %s, %s: %w", side.release, b.bench, err)
			}
			x, ok := rs[0].Value(b.metric)
			if !ok {
				var have []string
				for _, v := range rs[0].Values {
					have = append(have, v.Unit)
				}
				return fmt.Errorf("%s reports no %s (it reports %s): METRIC must be one of them", b.bench, b.metric, strings.Join(have, ", "))
			}
			*side.values = append(*side.values, x)
			rec := rs[0].Record().Clone()
			setFileConfig(rec, []benchfmt.Config{{Key: "grpc", Value: []byte(side.release), File: true},
				{Key: "go", Value: []byte(b.run.goVersion), File: true}, {Key: "clock", Value: []byte(bench.Real), File: true},
				{Key: "link", Value: []byte(netsim.Local.Name), File: true}})
			p.results = append(p.results, rec)
			if b.run.verbose {
				fmt.Fprintf(os.Stderr, "bisect: round %d/%d  %s  %s\n", round+1, b.rounds, side.release, formatResult(rs[0]))
			}
		}
	}
	return nil
}

// differ reports whether probe p's metric differs from good's beyond
// noise: by benchstat's own test, or because the event happened in one
// and never in the other. A throughput probe is judged against good as
// measured beside it, round by round (resultset.ComparePaired): between
// rounds the machine drifts, which the pairs cancel.
func (b *bisectConfig) differ(good, p *probe) bool {
	if p.ref != nil {
		return resultset.ComparePaired(p.ref, p.values).Differ
	}
	if len(good.values) == 0 || len(p.values) == 0 {
		return len(good.values) != len(p.values)
	}
	return resultset.Compare(good.values, p.values).Differ
}

// describe says what a probe measured.
func (b *bisectConfig) describe(p *probe) string {
	if b.throughput() && p.ref == nil {
		return "measured beside each probe"
	}
	if len(p.values) == 0 {
		return "never measured (the event never happened)"
	}
	s := fmt.Sprintf("median %.4g over %d runs", resultset.Summarize(p.values).Median, len(p.values))
	if p.ref != nil {
		ratio, spread, err := roundRatio(p.values, p.ref)
		if err != nil {
			return s + ": " + err.Error()
		}
		c := resultset.ComparePaired(p.ref, p.values)
		s += fmt.Sprintf("; %s %.4g beside it; ratio %.3f %s, sign test p=%.3f", b.good, resultset.Summarize(p.ref).Median, ratio, spread, c.P)
	}
	return s
}

func log2(n int) int {
	k := 0
	for ; n > 1; n /= 2 {
		k++
	}
	return k
}

// oneDuration parses a key's value that must be one duration.
func oneDuration(key, s string) ([]time.Duration, error) {
	ds, err := bench.ParseDurations(key, s)
	if err == nil && len(ds) != 1 {
		err = fmt.Errorf("%s %q: bisect follows one cell, give one duration", key, s)
	}
	return ds, err
}
