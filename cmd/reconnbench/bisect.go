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

	"golang.org/x/mod/semver"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

// metrics are the units bisect can follow.
var metrics = []string{resultset.UnitRecover, resultset.UnitMissed, resultset.UnitDetect, resultset.UnitUndetected,
	resultset.UnitDials, resultset.UnitLost, resultset.UnitDuplicated, resultset.UnitReplays}

type bisectConfig struct {
	run       *runConfig
	metric    string
	good, bad string
	between   []string // every release from good to bad, patches included
}

func parseBisectFlags(args []string) (*bisectConfig, error) {
	fs := flag.NewFlagSet("bisect", flag.ContinueOnError)
	var (
		strategy  = fs.String("strategy", "", "strategy (required)")
		fault     = fs.String("fault", "", "fault (required)")
		traffic   = fs.String("traffic", "", "traffic mode (required)")
		metric    = fs.String("metric", resultset.UnitMissed, "metric to follow: "+strings.Join(metrics, ", "))
		good      = fs.String("good", "", "a release where the metric has its old value (required)")
		bad       = fs.String("bad", "", "a later release where it has changed (required)")
		count     = fs.Int("count", 6, "runs per release")
		toolchain = fs.String("go", "", "Go toolchain such as go1.23.12")
		clock     = fs.String("clock", string(bench.Virtual), "virtual or real")
		verbose   = fs.Bool("v", false, "print a line per run")
	)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	traffics := make([]string, 0, len(bench.TrafficModes()))
	for _, t := range bench.TrafficModes() {
		traffics = append(traffics, string(t))
	}
	for _, f := range []struct{ name, v, valid string }{
		{"STRATEGY", *strategy, strings.Join(bench.DefaultMatrix().Strategies, ", ")},
		{"FAULT", *fault, strings.Join(bench.DefaultMatrix().Faults, ", ")},
		{"TRAFFIC", *traffic, strings.Join(traffics, ", ")},
		{"GOOD", *good, "a release such as v1.30.0"},
		{"BAD", *bad, "a later release such as v1.85.0"},
	} {
		if f.v == "" {
			return nil, fmt.Errorf("bisect needs %s (%s)", f.name, f.valid)
		}
	}
	if !slices.Contains(metrics, *metric) {
		return nil, fmt.Errorf("unknown metric %q (valid: %s)", *metric, strings.Join(metrics, ", "))
	}
	m := bench.DefaultMatrix()
	m.Strategies, m.Faults, m.Traffic = []string{*strategy}, []string{*fault}, []bench.Traffic{bench.Traffic(*traffic)}
	if m.Count = *count; m.Count < 1 {
		return nil, fmt.Errorf("COUNT %d: must be a whole number of runs, at least 1", m.Count)
	}
	var err error
	if m.Clock, err = bench.ParseClock(*clock); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
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
	b := &bisectConfig{metric: *metric, good: *good, bad: *bad,
		run: &runConfig{matrix: m, link: netsim.Local.Name, verbose: *verbose}}
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

// runBisect finds the first release where a cell's metric changes (make
// bisect).
func runBisect(args []string) error {
	b, err := parseBisectFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	return b.bisect(ctx)
}

// probe is one release measured.
type probe struct {
	release string
	file    string    // its results
	values  []float64 // the metric, one per run; empty when it never happened
}

// bisect finds the first release after good whose metric differs from
// good's beyond noise, assuming one boundary between good and bad.
func (b *bisectConfig) bisect(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "reconnbench-bisect-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	measure := func(v string) (*probe, error) {
		p, err := b.measure(ctx, tmp, v)
		if err == nil {
			fmt.Fprintf(os.Stderr, "bisect: %-9s %s %s\n", v, b.metric, describe(p.values))
		}
		return p, err
	}
	fmt.Fprintf(os.Stderr, "bisect: %s between %s and %s: %d releases, about %d to measure\n",
		b.run.matrix.Scenarios()[0].Name(), b.good, b.bad, len(b.between), 2+log2(len(b.between)))
	lo, err := measure(b.good)
	if err != nil {
		return err
	}
	hi, err := measure(b.bad)
	if err != nil {
		return err
	}
	if !differ(lo, hi) {
		return fmt.Errorf("%s does not differ beyond noise between %s (%s) and %s (%s): nothing to bisect",
			b.metric, b.good, describe(lo.values), b.bad, describe(hi.values))
	}
	good := *lo
	i, j := 0, len(b.between)-1
	for j-i > 1 {
		mid := (i + j) / 2
		p, err := measure(b.between[mid])
		if err != nil {
			return err
		}
		if differ(&good, p) {
			j, hi = mid, p
		} else {
			i, lo = mid, p
		}
	}
	fmt.Printf("first release where %s differs from %s: %s (the last release like %s: %s)\n\n",
		b.metric, b.good, hi.release, b.good, lo.release)
	cmd := exec.CommandContext(ctx, "go", "tool", "benchstat", "-col", "grpc", lo.file, hi.file)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// measure runs the cell against release v, making its module files in tmp
// when the release is not tracked.
func (b *bisectConfig) measure(ctx context.Context, tmp, v string) (*probe, error) {
	modFile := versions.ModFile(versions.Dir, v)
	if _, err := os.Stat(modFile); err != nil {
		vdir := filepath.Join(tmp, v)
		if err := versions.WriteModFiles(".", vdir, v); err != nil {
			return nil, err
		}
		modFile = filepath.Join(vdir, "go.mod")
	}
	bin, err := b.run.build(ctx, tmp, modFile, v)
	if err != nil {
		return nil, fmt.Errorf("gRPC-Go %s: %w", v, err)
	}
	p := &probe{release: v, file: filepath.Join(tmp, "grpc-"+v+".txt")}
	if err := b.run.runMatrix(ctx, bin, v, b.run.matrix, []resultset.Cell{b.run.matrix.Scenarios()[0].Cell()}, p.file, false); err != nil {
		return nil, fmt.Errorf("gRPC-Go %s: %w", v, err)
	}
	p.values, err = readMetric(p.file, b.metric)
	return p, err
}

// readMetric returns every value of unit in a results file.
func readMetric(file, unit string) ([]float64, error) {
	rs, err := resultset.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var vals []float64
	for _, r := range rs {
		if v, ok := r.Value(unit); ok {
			vals = append(vals, v)
		}
	}
	return vals, nil
}

// differ reports whether two probes' metric differs beyond noise: by
// benchstat's own test, or because the event happened in one and never in
// the other.
func differ(a, b *probe) bool {
	if len(a.values) == 0 || len(b.values) == 0 {
		return len(a.values) != len(b.values)
	}
	return resultset.Compare(a.values, b.values).Differ
}

func describe(vals []float64) string {
	if len(vals) == 0 {
		return "never measured (the event never happened)"
	}
	return fmt.Sprintf("mean %.4g over %d runs", resultset.Mean(vals), len(vals))
}

func log2(n int) int {
	k := 0
	for ; n > 1; n /= 2 {
		k++
	}
	return k
}
