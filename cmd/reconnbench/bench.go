package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/plots"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

// runBench runs the reconnect matrix against the selected releases (make
// bench), draws the figures and the report, and says where the time went.
func runBench(args []string) error {
	c, err := parseRunFlags(args)
	if err != nil {
		return err
	}
	if c.dryRun {
		return c.printPlan(os.Stdout)
	}
	release, err := lockResults(c.results, "bench")
	if err != nil {
		return err
	}
	defer release()
	ctx, stop := signalContext()
	defer stop()
	start := time.Now()
	if err := c.runAll(ctx); err != nil {
		return err
	}
	var drew time.Duration
	if c.plots {
		t := time.Now()
		if err := plots.Write(c.results, plots.Options{SVG: true}, c.logWriter()); err != nil {
			return err
		}
		drew = time.Since(t)
	}
	c.logf("reconnbench: %s\n", c.spent.summary(time.Since(start), drew))
	return nil
}

// parseRunFlags reads `versions bench` flags and checks every value before
// anything runs.
func parseRunFlags(args []string) (*runConfig, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sel := registerSelection(fs)
	var (
		releases  = fs.String("versions", "default", "releases: default, all, or a list")
		toolchain = fs.String("go", "", "Go toolchain such as go1.23.12 (default: the go command's own)")
		count     = fs.Int("count", 6, "result lines per cell")
		clock     = fs.String("clock", string(bench.Virtual), "virtual or real")
		link      = fs.String("link", netsim.Local.Name, "link profile")
		results   = fs.String("results", "results", "results folder")
		shardFlag = fs.String("shard", "", "run the i-th of n slices: i/n")
		verbose   = fs.Bool("v", false, "print a line per cell")
		rounds    = fs.Int("rounds", 6, "rounds of BenchmarkReplay after each release's cells")
		noTput    = fs.Bool("no-throughput", false, "skip BenchmarkReplay after each release's cells")
		drawPlots = fs.Bool("plots", true, "draw the figures and REPORT.md from the results folder when every release is done")
		jobs      = fs.Int("j", 0, "cell processes at a time (default: the number of CPUs on the virtual clock, 8 per CPU on the real clock)")
		dryRun    = fs.Bool("n", false, "print the cells and releases the run would measure, and run nothing")
		resume    = fs.Bool("resume", false, "keep the releases already complete in the results folder, and the cells an interrupted run finished; run only what is missing")
	)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("bench takes flags only (-h lists them), not %q", fs.Args())
	}
	c := &runConfig{results: *results, verbose: *verbose, link: *link, jobs: *jobs, noThroughput: *noTput, resume: *resume, plots: *drawPlots, dryRun: *dryRun}
	var err error
	if c.releases, err = versions.Select(versions.Dir, *releases); err != nil {
		return nil, err
	}
	if c.shard, err = parseShard(*shardFlag); err != nil {
		return nil, err
	}
	m := bench.DefaultMatrix()
	if m.Cells, err = sel.cells(); err != nil {
		return nil, err
	}
	// The strategies the cells have, in order: shards deal them out.
	m.Strategies = nil
	for _, c := range m.Cells {
		if !slices.Contains(m.Strategies, c.Strategy) {
			m.Strategies = append(m.Strategies, c.Strategy)
		}
	}
	if m.Count = *count; m.Count < 1 {
		return nil, fmt.Errorf("COUNT %d: must be a whole number of runs, at least 1", m.Count)
	}
	if c.rounds = *rounds; c.rounds < 1 {
		return nil, fmt.Errorf("ROUNDS %d: must be a whole number of rounds, at least 1", c.rounds)
	}
	if m.Clock, err = bench.ParseClock(*clock); err != nil {
		return nil, err
	}
	if _, err := netsim.LookupProfile(*link); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	c.matrix = m
	if c.jobs < 0 {
		return nil, fmt.Errorf("-j %d: must be at least 1, or 0 for the default", c.jobs)
	}
	if err := c.resolveToolchain(*toolchain); err != nil {
		return nil, err
	}
	if c.dryRun {
		return c, nil
	}
	if err := checkWritable(c.results); err != nil {
		return nil, err
	}
	if c.jobs == 0 {
		c.jobs = defaultJobs(c.matrix.Clock)
	}
	return c, nil
}

// printPlan writes what the run would measure: a cell name a line, then
// the count and the releases.
func (c *runConfig) printPlan(w io.Writer) error {
	cells := c.matrix.Scenarios()
	for _, sc := range cells {
		fmt.Fprintln(w, sc.Cell().Name())
	}
	_, err := fmt.Fprintf(w, "%d cells × %d releases (%s), %d runs a cell\n", len(cells), len(c.releases), strings.Join(c.releases, " "), c.matrix.Count)
	return err
}

// checkWritable makes sure results can be written to dir, creating it if
// need be, before anything runs.
func checkWritable(dir string) error {
	p, err := resultset.CreatePending(filepath.Join(dir, ".writable"))
	if err != nil {
		return err
	}
	p.Discard()
	return nil
}

// defaultJobs is how many cell processes run at once: virtual cells are
// CPU-bound, real ones mostly wait.
func defaultJobs(clock bench.Clock) int {
	if clock == bench.Real {
		return 8 * runtime.NumCPU()
	}
	return runtime.NumCPU()
}
