package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
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
	var (
		releases   = fs.String("versions", "default", "releases: default, all, or a list")
		toolchain  = fs.String("go", "", "Go toolchain such as go1.23.12 (default: the go command's own)")
		strategies = fs.String("strategies", "", "strategies (default all)")
		faults     = fs.String("faults", "", "faults (default all)")
		traffic    = fs.String("traffic", "", "traffic modes (default all)")
		downtimes  = fs.String("downtime", "", "downtimes, Go durations (default those of the scenario set)")
		quiets     = fs.String("quiet", "", "quiet times before the fault, Go durations (default those of the scenario set)")
		clients    = fs.String("client", "", "clients: dial, newclient (default those of the scenario set)")
		scenarios  = fs.String("scenarios", bench.SetDefault, "scenario set: default, or all (every combination of the lists)")
		count      = fs.Int("count", 6, "result lines per cell")
		clock      = fs.String("clock", string(bench.Virtual), "virtual or real")
		link       = fs.String("link", netsim.Local.Name, "link profile")
		results    = fs.String("results", "results", "results folder")
		shardFlag  = fs.String("shard", "", "run the i-th of n slices: i/n")
		verbose    = fs.Bool("v", false, "print a line per cell")
		noTput     = fs.Bool("no-throughput", false, "skip BenchmarkReplay after each release's cells")
		drawPlots  = fs.Bool("plots", true, "draw the figures and REPORT.md from the results folder when every release is done")
		jobs       = fs.Int("j", 0, "cell processes at a time (default: the number of CPUs on the virtual clock, 8 per CPU on the real clock)")
		resume     = fs.Bool("resume", false, "keep the releases already complete in the results folder, and the cells an interrupted run finished; run only what is missing")
	)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("bench takes flags only (-h lists them), not %q", fs.Args())
	}
	c := &runConfig{results: *results, verbose: *verbose, link: *link, jobs: *jobs, noThroughput: *noTput, resume: *resume, plots: *drawPlots}
	var err error
	if c.releases, err = versions.Select(versions.Dir, *releases); err != nil {
		return nil, err
	}
	if c.shard, err = parseShard(*shardFlag); err != nil {
		return nil, err
	}
	m := bench.DefaultMatrix()
	if m.Cells, err = cellsFromFlags(*scenarios, *strategies, *faults, *traffic, *downtimes, *quiets, *clients); err != nil {
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
	if err := checkWritable(c.results); err != nil {
		return nil, err
	}
	if c.jobs == 0 {
		c.jobs = defaultJobs(c.matrix.Clock)
	}
	return c, nil
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

// cellsFromFlags turns the scenario set and the key lists into cells: the
// set's cells whose keys take a listed value (an empty list keeps every
// value), or, for the set "all", every combination of the lists (an empty
// list takes every value). Every name and duration is checked, and a
// selection that leaves no cell says which set and lists emptied it.
func cellsFromFlags(set, strategies, faults, traffic, downtimes, quiets, clients string) ([]resultset.Cell, error) {
	all, err := bench.ScenarioSet(set)
	if err != nil {
		return nil, fmt.Errorf("SCENARIOS: %w", err)
	}
	f := bench.CellFilter{Strategies: bench.ParseList(strategies), Faults: bench.ParseList(faults), Traffic: bench.ParseList(traffic)}
	if f.Downtimes, err = bench.ParseDurations("DOWNTIME", downtimes); err != nil {
		return nil, err
	}
	if f.Quiets, err = bench.ParseDurations("QUIET", quiets); err != nil {
		return nil, err
	}
	for _, c := range bench.ParseList(clients) {
		cl, err := bench.ParseClient(c)
		if err != nil {
			return nil, err
		}
		f.Clients = append(f.Clients, cl)
	}
	// Every named value must exist, whether or not the set has it.
	m := bench.DefaultMatrix()
	if len(f.Strategies) > 0 {
		m.Strategies = f.Strategies
	}
	if len(f.Faults) > 0 {
		m.Faults = f.Faults
	}
	if len(f.Traffic) > 0 {
		m.Traffic = nil
		for _, t := range f.Traffic {
			m.Traffic = append(m.Traffic, bench.Traffic(t))
		}
	}
	if len(f.Downtimes) > 0 {
		m.Downtimes = f.Downtimes
	}
	if len(f.Quiets) > 0 {
		m.Quiets = f.Quiets
	}
	if len(f.Clients) > 0 {
		m.Clients = f.Clients
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if set == bench.SetAll {
		// Every combination of the lists, or of every value of a key
		// given none.
		if len(f.Downtimes) == 0 {
			m.Downtimes = bench.SetDowntimes
		}
		if len(f.Quiets) == 0 {
			m.Quiets = bench.SetQuiets
		}
		if len(f.Clients) == 0 {
			m.Clients = bench.SetClients
		}
		var cells []resultset.Cell
		for _, sc := range m.Scenarios() {
			cells = append(cells, sc.Cell())
		}
		return cells, nil
	}
	cells := f.Filter(all)
	if len(cells) == 0 {
		return nil, fmt.Errorf("no cell of the %s scenario set has every value asked for (STRATEGIES, FAULTS, TRAFFIC, DOWNTIME, QUIET, CLIENT): ask for values it has, or use SCENARIOS=all for every combination of them", set)
	}
	return cells, nil
}
