package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/semver"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

// validateConfig is what `versions validate` runs: the same cells on the
// virtual netsim and on real TCP with server processes, for a few releases.
type validateConfig struct {
	sim, tcp *runConfig
	// long runs the cells with a downtime over the base one again on
	// netsim, with more cycles, in place of sim's (nil if there are
	// none).
	long    *runConfig
	changes []change // behaviour changes that chose releases
	report  string   // the side-by-side report, written when done
	noRun   bool     // judge the results already there
}

// change is a behaviour change between two consecutive releases of a
// results folder: some cell's missed/op or undetected/op moved by at least
// half a cycle.
type change struct {
	from, to string
	cell     resultset.Cell
	unit     string
}

// Agreement, as docs/validation.md defines it: the same missed/op,
// undetected/op, spurious-replays/op and unready/op, dial attempts within
// ±dialSlack, the share of failed RPCs within ±failedSlack, and times
// within timeShare of their value or timeFloor, whichever is larger. A
// real cycle whose server came back more than timeFloor after the
// schedule did not run the scenario: it is inconclusive and run again, at
// most maxReruns times.
const (
	dialSlack   = 1
	failedSlack = 0.05
	timeShare   = 0.05
	timeFloor   = 50 * time.Millisecond
	maxReruns   = 2
)

func parseValidateFlags(args []string) (*validateConfig, error) {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	var (
		releases   = fs.String("versions", "auto", "releases: auto (the oldest, the newest, and both sides of every change in -baseline of missed or undetected cycles in a cell validate runs), or as for bench")
		baseline   = fs.String("baseline", filepath.Join("results", "baseline"), "results folder whose behaviour changes auto picks releases around")
		strategies = fs.String("strategies", "", "strategies (default all)")
		faults     = fs.String("faults", "", "faults (default all)")
		traffic    = fs.String("traffic", "", "traffic modes (default all)")
		count      = fs.Int("count", 60, "virtual cycles per cell: enough to cover the backoff jitter, and outcomes of one cycle in ten, that a single real cycle may land on")
		longCount  = fs.Int("long-count", 600, "virtual cycles per cell with a downtime over 1s: backoff grown over a long outage has outcomes of one cycle in 300")
		tcpCount   = fs.Int("tcp-count", 1, "real TCP cycles per cell")
		deadline   = fs.Duration("deadline", 30*time.Second, "how long recovery may take once the server is back, on both networks")
		results    = fs.String("results", filepath.Join("results", "validate"), "folder for the results of both networks and the report")
		jobs       = fs.Int("j", 0, "real TCP cells at a time (default 8 per CPU: they mostly wait)")
		verbose    = fs.Bool("v", false, "print a line per cell")
		noRun      = fs.Bool("no-run", false, "run nothing: judge the results already in -results and rewrite the report")
	)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("validate takes flags only (-h lists them), not %q", fs.Args())
	}
	if *tcpCount <= 0 {
		return nil, fmt.Errorf("-tcp-count %d: must be at least 1", *tcpCount)
	}
	if *deadline <= 0 {
		return nil, fmt.Errorf("-deadline %v: must be positive", *deadline)
	}
	v := &validateConfig{report: filepath.Join(*results, "VALIDATION.md"), noRun: *noRun}
	spec := *releases
	if spec == "auto" {
		rels, changes, err := validationReleases(versions.Dir, *baseline, bench.ValidateSet())
		if err != nil {
			return nil, err
		}
		spec, v.changes = strings.Join(rels, " "), changes
	}
	common := func(more ...string) []string {
		return append([]string{"-versions", spec, "-scenarios", bench.SetValidate, "-strategies", *strategies, "-faults", *faults, "-traffic", *traffic,
			"-results", *results, "-no-throughput", "-v=" + strconv.FormatBool(*verbose)}, more...)
	}
	var err error
	if v.sim, err = parseRunFlags(common("-clock", "virtual", "-count", strconv.Itoa(*count))); err != nil {
		return nil, err
	}
	if v.tcp, err = parseRunFlags(common("-clock", "real", "-count", strconv.Itoa(*tcpCount), "-j", strconv.Itoa(*jobs))); err != nil {
		return nil, err
	}
	var long []string
	for _, c := range v.sim.matrix.Cells {
		if d := c.Downtime.String(); c.Downtime > bench.DefaultDowntime && !slices.Contains(long, d) {
			long = append(long, d)
		}
	}
	if len(long) > 0 && *longCount > *count {
		// Its results folder is set when it runs.
		if v.long, err = parseRunFlags(common("-clock", "virtual", "-count", strconv.Itoa(*longCount), "-downtime", strings.Join(long, " "))); err != nil {
			return nil, err
		}
	}
	v.tcp.net = bench.TCP
	for _, c := range []*runConfig{v.sim, v.tcp, v.long} {
		if c == nil {
			continue
		}
		c.matrix.Base.Deadline = *deadline // for the processes' wall-clock limit
		c.extra = append(c.extra, "-matrix.deadline="+deadline.String())
	}
	return v, nil
}

// validationReleases picks the oldest and newest releases tracked in
// modDir and both sides of every behaviour change, in one of cells,
// between consecutive releases in the results folder results (its
// default-toolchain, virtual, local files): a change in a cell validate
// does not run has nothing to check.
func validationReleases(modDir, results string, cells []resultset.Cell) ([]string, []change, error) {
	have, err := versions.Tracked(modDir)
	if err != nil {
		return nil, nil, err
	}
	if len(have) == 0 {
		return nil, nil, fmt.Errorf("%s: no module files of any release", modDir)
	}
	pick := map[string]bool{have[0]: true, have[len(have)-1]: true}
	files, _ := filepath.Glob(filepath.Join(results, "grpc-v*.txt"))
	type release struct {
		release string
		cells   map[resultset.Cell][]record
	}
	var runs []release
	for _, f := range files {
		rel := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "grpc-"), ".txt")
		if !semver.IsValid(rel) || semver.Prerelease(rel) != "" || strings.Count(rel, ".") != 2 {
			continue // another toolchain, clock, link or shard
		}
		cells, err := readCells(f)
		if err != nil {
			return nil, nil, err
		}
		runs = append(runs, release{rel, cells})
	}
	sort.Slice(runs, func(i, j int) bool { return semver.Compare(runs[i].release, runs[j].release) < 0 })
	var changes []change
	for i := 1; i < len(runs); i++ {
		a, b := runs[i-1], runs[i]
		for _, cell := range sortedCells(b.cells) {
			if !slices.Contains(cells, cell) {
				continue
			}
			for _, unit := range []string{resultset.UnitMissed, resultset.UnitUndetected} {
				x, y := values(a.cells[cell], unit), values(b.cells[cell], unit)
				if len(x) > 0 && len(y) > 0 && math.Abs(resultset.Mean(x)-resultset.Mean(y)) >= 0.5 {
					changes = append(changes, change{a.release, b.release, cell, unit})
					pick[a.release], pick[b.release] = true, true
				}
			}
		}
	}
	rels := make([]string, 0, len(pick))
	for r := range pick {
		rels = append(rels, r)
	}
	semver.Sort(rels)
	return rels, changes, nil
}

func runValidate(args []string) error {
	v, err := parseValidateFlags(args)
	if err != nil {
		return err
	}
	release, err := lockResults(v.sim.results, "validate")
	if err != nil {
		return err
	}
	defer release()
	ctx, stop := signalContext()
	defer stop()
	return v.run(ctx, os.Stdout)
}

func (v *validateConfig) run(ctx context.Context, out io.Writer) error {
	start := time.Now()
	if len(v.changes) > 0 {
		fmt.Fprintf(os.Stderr, "validate: %d cells change behaviour between releases in the baseline, first %s..%s (%s %s)\n",
			len(v.changes), v.changes[0].from, v.changes[0].to, v.changes[0].cell.Short(), v.changes[0].unit)
	}
	fmt.Fprintf(os.Stderr, "validate: virtual netsim, then real TCP with server processes: %s\n", strings.Join(v.sim.releases, " "))
	// A release whose cells partly failed still gets its verdicts.
	var simErr, longErr, tcpErr error
	if !v.noRun {
		if simErr = v.sim.runAll(ctx); ctx.Err() != nil {
			return ctx.Err()
		}
		if longErr = v.runLong(ctx); ctx.Err() != nil {
			return ctx.Err()
		}
		if tcpErr = v.tcp.runAll(ctx); ctx.Err() != nil {
			return ctx.Err()
		}
	}
	tmp, err := os.MkdirTemp("", "reconnbench-validate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var tables []*validation
	for _, rel := range v.sim.releases {
		t, err := v.judgeRelease(ctx, tmp, rel)
		if err != nil {
			return err
		}
		tables = append(tables, t)
	}
	w, err := resultset.CreatePending(v.report)
	if err != nil {
		return err
	}
	writeValidationReport(w, tables, v, time.Since(start))
	if err := w.Commit(); err != nil {
		return err
	}
	var n [3]int
	for _, t := range tables {
		t.print(out)
		for _, r := range t.rows {
			n[r.status()]++
		}
	}
	fmt.Fprintf(out, "%d cells agree, %d differ, %d inconclusive; report in %s (%v)\n",
		n[agrees], n[differs], n[inconclusive], v.report, time.Since(start).Round(time.Second))
	return errors.Join(simErr, longErr, tcpErr)
}

// runLong runs the cells with a long downtime on netsim again, with more
// cycles, and puts their results in place of the sim run's.
func (v *validateConfig) runLong(ctx context.Context) error {
	if v.long == nil {
		return nil
	}
	tmp, err := os.MkdirTemp("", "reconnbench-validate-long-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	v.long.results = tmp
	runErr := v.long.runAll(ctx)
	for _, rel := range v.long.releases {
		longFile := v.long.resultPath(rel)
		cells, err := readCells(longFile)
		if err != nil {
			continue // the release failed; its error is runErr's
		}
		replaced := map[resultset.Cell]bool{}
		for c := range cells {
			replaced[c] = true
		}
		simFile := v.sim.resultPath(rel)
		if !exists(simFile) { // the sim run failed there: nothing to replace
			err = resultset.Merge(simFile, []string{longFile}, nil)
			if err == nil {
				err = resultset.MergeTraces(resultset.TracePath(simFile), []string{longFile}, nil)
			}
		} else {
			err = replaceCells(simFile, replaced, []string{longFile})
		}
		if err != nil {
			return errors.Join(runErr, err)
		}
	}
	return runErr
}

// judgeRelease compares a release's cells on both networks, running again
// on TCP, at most maxReruns times, the cells whose real server restarted
// too late to count.
func (v *validateConfig) judgeRelease(ctx context.Context, tmp, rel string) (*validation, error) {
	simFile, tcpFile := v.sim.resultPath(rel), v.tcp.resultPath(rel)
	for attempt := 0; ; attempt++ {
		t, err := compareNets(rel, simFile, tcpFile)
		if err != nil {
			return nil, err
		}
		var again []resultset.Cell
		for _, r := range t.rows {
			if r.status() == inconclusive {
				again = append(again, r.cell)
			}
		}
		if len(again) == 0 || attempt == maxReruns || v.noRun || ctx.Err() != nil {
			return t, nil
		}
		fmt.Fprintf(os.Stderr, "validate: gRPC-Go %s: %d cells had a real server restart too late to compare; running them again\n", rel, len(again))
		if err := v.rerun(ctx, tmp, rel, again, tcpFile); err != nil {
			return nil, err
		}
	}
}

// rerun runs cells again on TCP and puts their results and traces in
// place of the old ones in the release's files.
func (v *validateConfig) rerun(ctx context.Context, tmp, rel string, cells []resultset.Cell, tcpFile string) error {
	c := v.tcp
	bin, err := c.build(ctx, tmp, versions.ModFile(versions.Dir, rel), rel)
	if err != nil {
		return err
	}
	outs := make([]string, len(cells))
	errs := make([]error, len(cells))
	sem := make(chan struct{}, c.jobs)
	var wg sync.WaitGroup
	for i, cell := range cells {
		sc := bench.ScenarioOf(cell)
		outs[i] = filepath.Join(tmp, fmt.Sprintf("%s-rerun%03d.txt", rel, i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = c.runCell(ctx, bin, rel, c.matrix, sc, outs[i])
		}()
	}
	wg.Wait()
	var done []string
	replaced := map[resultset.Cell]bool{}
	for i, err := range errs {
		if err != nil {
			fmt.Fprintf(os.Stderr, "validate: gRPC-Go %s: %s could not run again, its late run stays: %v\n", rel, cells[i], firstLine(err.Error()))
			continue
		}
		done = append(done, outs[i])
		replaced[cells[i]] = true
	}
	return replaceCells(tcpFile, replaced, done)
}

// replaceCells puts the results and traces in files in place of those of
// cells in the results file path and its trace file; everything else in
// them is kept.
func replaceCells(path string, cells map[resultset.Cell]bool, files []string) error {
	all := append([]string{path}, files...)
	keep := func(file string, n resultset.Name) bool {
		c, err := n.Cell()
		return file != path || err != nil || !cells[c]
	}
	if err := resultset.Merge(path, all, keep); err != nil {
		return err
	}
	return resultset.MergeTraces(resultset.TracePath(path), all, keep)
}

// record is one results line: its values by unit, as written.
type record map[string]float64

func recordOf(r *resultset.Result) record {
	rec := record{}
	for _, v := range r.Values {
		rec[v.Unit] = v.Value
	}
	return rec
}

// values returns the unit's value in each run that has it.
func values(runs []record, unit string) []float64 {
	var xs []float64
	for _, r := range runs {
		if x, ok := r[unit]; ok {
			xs = append(xs, x)
		}
	}
	return xs
}

// readCells reads the reconnect cells of a results file, each with its
// runs.
func readCells(file string) (map[resultset.Cell][]record, error) {
	rs, err := resultset.ReadFile(file)
	if err != nil {
		return nil, err
	}
	cells := map[resultset.Cell][]record{}
	for _, r := range rs {
		if c, err := r.Cell(); err == nil {
			cells[c] = append(cells[c], recordOf(r))
		}
	}
	return cells, nil
}

// sortedCells returns the cells of m in the order of their names.
func sortedCells[V any](m map[resultset.Cell]V) []resultset.Cell {
	cells := make([]resultset.Cell, 0, len(m))
	for c := range m {
		cells = append(cells, c)
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i].String() < cells[j].String() })
	return cells
}

// validation is one release's cells side by side on both networks.
type validation struct {
	release string
	rows    []verdict
}

// Verdicts.
const (
	agrees = iota
	differs
	inconclusive
)

// verdict compares one cell's runs on both networks.
type verdict struct {
	cell     resultset.Cell
	sim, tcp []record
	differs  []string      // what disagrees
	late     time.Duration // no real run restarted on time: the least lateness
}

func (r verdict) status() int {
	switch {
	case len(r.differs) > 0:
		return differs
	case r.late > 0:
		return inconclusive
	}
	return agrees
}

func (r verdict) word() string {
	switch r.status() {
	case differs:
		return "DIFFERS: " + strings.Join(r.differs, ", ")
	case inconclusive:
		return fmt.Sprintf("inconclusive: the server process restarted %v late", r.late.Round(time.Millisecond))
	}
	return "agrees"
}

// compareNets reads a release's results on both networks and judges each
// cell. A missing file (the release could not be built, or the run was
// cut short) leaves its side of every cell without results.
func compareNets(release, simFile, tcpFile string) (*validation, error) {
	sim, err := readCells(simFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	tcp, err := readCells(tcpFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	cells := map[resultset.Cell]bool{}
	for _, m := range []map[resultset.Cell][]record{sim, tcp} {
		for c := range m {
			cells[c] = true
		}
	}
	t := &validation{release: release}
	for _, c := range sortedCells(cells) {
		t.rows = append(t.rows, judge(c, sim[c], tcp[c]))
	}
	return t, nil
}

// judge applies the agreement rules to one cell. Where the simulation
// itself varies (backoff jitter), the real runs must fall within the range
// it produced, widened by the tolerance. Dials and times are judged on the
// real runs whose server restarted on schedule only.
func judge(c resultset.Cell, sim, tcp []record) verdict {
	r := verdict{cell: c, sim: sim, tcp: tcp}
	switch {
	case len(sim) == 0:
		r.differs = append(r.differs, "no netsim result")
		return r
	case len(tcp) == 0:
		r.differs = append(r.differs, "no tcp result")
		return r
	}
	outside := func(unit string, runs []record, slack func(float64) float64) {
		s, x := values(sim, unit), values(runs, unit)
		if len(s) == 0 || len(x) == 0 {
			return // a time that never happened on one side is judged by missed or undetected
		}
		sum, xsum := resultset.Summarize(s), resultset.Summarize(x)
		if lo, hi := sum.Min, sum.Max; xsum.Min < lo-slack(lo) || xsum.Max > hi+slack(hi) {
			r.differs = append(r.differs, strings.TrimSuffix(unit, "/op"))
		}
	}
	exact := func(float64) float64 { return 0 }
	outside(resultset.UnitMissed, tcp, exact)
	outside(resultset.UnitUndetected, tcp, exact)
	outside(resultset.UnitSpurious, tcp, exact)
	outside(resultset.UnitUnready, tcp, exact)

	onTime := tcp
	if sched := values(sim, resultset.UnitRestart); len(sched) > 0 {
		schedule := resultset.Summarize(sched).Max
		onTime = nil
		for _, x := range tcp {
			late := time.Duration(x[resultset.UnitRestart] - schedule)
			switch {
			case late <= timeFloor:
				onTime = append(onTime, x)
			case r.late == 0 || late < r.late:
				r.late = late
			}
		}
		if len(onTime) > 0 {
			r.late = 0
		}
	}
	outside(resultset.UnitDials, onTime, func(float64) float64 { return dialSlack })
	outside(resultset.UnitDetect, onTime, timeTolerance)
	outside(resultset.UnitRecover, onTime, timeTolerance)
	outside(resultset.UnitAllReady, onTime, timeTolerance)
	outside(resultset.UnitFailedRPCs, onTime, func(float64) float64 { return failedSlack })
	return r
}

// timeTolerance is how far a time of v nanoseconds may be off.
func timeTolerance(v float64) float64 {
	return math.Max(timeShare*v, float64(timeFloor))
}

// columns of the side-by-side table: the unit, its scale, and the
// decimals shown (-1: as many as the value has).
var columns = []struct {
	head, unit string
	scale      float64
	decimals   int
}{
	{"missed", resultset.UnitMissed, 1, -1},
	{"undetected", resultset.UnitUndetected, 1, -1},
	{"spurious", resultset.UnitSpurious, 1, -1},
	{"dials", resultset.UnitDials, 1, -1},
	{"detect (s)", resultset.UnitDetect, 1e9, 2},
	{"recover (s)", resultset.UnitRecover, 1e9, 2},
	{"restart (s)", resultset.UnitRestart, 1e9, 2},
	{"failed RPCs", resultset.UnitFailedRPCs, 1, 3},
	{"all ready (s)", resultset.UnitAllReady, 1e9, 2},
	{"unready", resultset.UnitUnready, 1, -1},
}

func (t *validation) print(w io.Writer) {
	fmt.Fprintf(w, "\ngRPC-Go %s: netsim (virtual clock) | tcp (real processes, real clock)\n", t.release)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "cell")
	for _, c := range columns {
		fmt.Fprint(tw, "\t", c.head)
	}
	fmt.Fprintln(tw, "\tverdict")
	for _, r := range t.rows {
		fmt.Fprint(tw, r.cell.Short())
		for _, c := range columns {
			fmt.Fprint(tw, "\t", pair(r, c.unit, c.scale, c.decimals, " | "))
		}
		fmt.Fprintln(tw, "\t"+r.word())
	}
	tw.Flush()
}

// pair formats a unit's values on both networks as "netsim | tcp", each a
// value or a range; sep separates them.
func pair(r verdict, unit string, scale float64, decimals int, sep string) string {
	return span(values(r.sim, unit), scale, decimals) + sep + span(values(r.tcp, unit), scale, decimals)
}

func span(xs []float64, scale float64, decimals int) string {
	if len(xs) == 0 {
		return "-"
	}
	sum := resultset.Summarize(xs)
	lo, hi := sum.Min, sum.Max
	f := func(v float64) string { return strconv.FormatFloat(v/scale, 'f', decimals, 64) }
	if f(lo) == f(hi) {
		return f(lo)
	}
	return f(lo) + "–" + f(hi)
}

func writeValidationReport(w io.Writer, tables []*validation, v *validateConfig, took time.Duration) {
	fmt.Fprintf(w, "# Simulation against reality\n\n")
	ran := took.Round(time.Second).String()
	if v.noRun {
		ran = "judged again without running (-no-run)"
	}
	long := ""
	if v.long != nil {
		long = fmt.Sprintf(" (%d with a downtime over %v)", v.long.matrix.Count, bench.DefaultDowntime)
	}
	fmt.Fprintf(w, "`make validate`, %s, %s, %s. Each cell ran %d cycles on netsim with the virtual clock%s and %d on loopback TCP with real server processes (SIGKILL, SIGTERM, a blackholing proxy, gRPC's connection-age limit, a process at another loopback address and a DNS server on loopback for a moved server).\n",
		time.Now().UTC().Format("2006-01-02"), v.sim.goVersion, ran, v.sim.matrix.Count, long, v.tcp.matrix.Count)
	fmt.Fprintf(w, "A cell agrees when missed/op, undetected/op, spurious-replays/op and unready/op are the same, dial attempts are within ±%d, the share of failed RPCs within ±%g, and detection, recovery and all-ready times are within %g%% or %v, whichever is larger, of the range netsim produced. A real run whose server process came back more than %v after the schedule is inconclusive and was run again, at most %d times. Cells show `netsim | tcp`, each a value or a range.\n",
		dialSlack, failedSlack, timeShare*100, timeFloor, timeFloor, maxReruns)
	if len(v.changes) > 0 {
		fmt.Fprintf(w, "\nReleases: the oldest and the newest tracked, and both sides of every behaviour change in the baseline (%d cells change", len(v.changes))
		seen := map[string]bool{}
		for _, c := range v.changes {
			if k := c.from + ".." + c.to; !seen[k] {
				seen[k] = true
				fmt.Fprintf(w, "; %s", k)
			}
		}
		fmt.Fprintf(w, ").\n")
	}
	for _, t := range tables {
		var n [3]int
		for _, r := range t.rows {
			n[r.status()]++
		}
		fmt.Fprintf(w, "\n## gRPC-Go %s: %d of %d cells agree, %d differ, %d inconclusive\n\n", t.release, n[agrees], len(t.rows), n[differs], n[inconclusive])
		fmt.Fprint(w, "| cell |")
		for _, c := range columns {
			fmt.Fprintf(w, " %s |", c.head)
		}
		fmt.Fprintln(w, " verdict |")
		fmt.Fprintln(w, "|---"+strings.Repeat("|---", len(columns))+"|---|")
		for _, r := range t.rows {
			fmt.Fprintf(w, "| %s |", r.cell.Short())
			for _, c := range columns {
				fmt.Fprintf(w, " %s |", pair(r, c.unit, c.scale, c.decimals, " \\| "))
			}
			fmt.Fprintf(w, " %s |\n", r.word())
		}
	}
}
