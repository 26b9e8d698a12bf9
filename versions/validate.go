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
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/semver"

	"github.com/reconnbench/reconnbench/bench"
)

// validateConfig is what `versions validate` runs: the same cells on the
// virtual netsim and on real TCP with server processes, for a few releases.
type validateConfig struct {
	sim, tcp *runConfig
	changes  []change // behaviour changes that chose releases
	report   string   // the side-by-side report, written when done
}

// change is a behaviour change between two consecutive releases of a
// results folder: some cell's missed/op or undetected/op moved by at least
// half a cycle.
type change struct {
	from, to string
	cell     string
	unit     string
}

// Agreement, as the README defines it: the same missed/op and
// undetected/op, dial attempts within ±dialSlack, and times within
// timeShare of their value or timeFloor, whichever is larger.
const (
	dialSlack = 1
	timeShare = 0.05
	timeFloor = 50 * time.Millisecond
)

func parseValidateFlags(args []string) (*validateConfig, error) {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	var (
		versions   = fs.String("versions", "auto", "releases: auto (the oldest, the newest, and both sides of every behaviour change in -baseline), or as for bench")
		baseline   = fs.String("baseline", "results", "results folder whose behaviour changes auto picks releases around")
		strategies = fs.String("strategies", "", "strategies (default all)")
		faults     = fs.String("faults", "", "faults (default all)")
		traffic    = fs.String("traffic", "", "traffic modes (default all)")
		count      = fs.Int("count", 6, "virtual cycles per cell")
		tcpCount   = fs.Int("tcp-count", 1, "real TCP cycles per cell")
		deadline   = fs.Duration("deadline", 30*time.Second, "how long recovery may take once the server is back, on both networks")
		results    = fs.String("results", filepath.Join("results", "validate"), "folder for the results of both networks and the report")
		jobs       = fs.Int("j", 0, "real TCP cells at a time (default 8 per CPU: they mostly wait)")
		verbose    = fs.Bool("v", false, "print a line per cell")
	)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *tcpCount <= 0 {
		return nil, fmt.Errorf("-tcp-count %d: must be at least 1", *tcpCount)
	}
	if *deadline <= 0 {
		return nil, fmt.Errorf("-deadline %v: must be positive", *deadline)
	}
	v := &validateConfig{report: filepath.Join(*results, "VALIDATION.md")}
	spec := *versions
	if spec == "auto" {
		rels, changes, err := validationReleases(dir, *baseline)
		if err != nil {
			return nil, err
		}
		spec, v.changes = strings.Join(rels, " "), changes
	}
	common := []string{"-versions", spec, "-strategies", *strategies, "-faults", *faults, "-traffic", *traffic,
		"-results", *results, "-no-throughput", "-v=" + strconv.FormatBool(*verbose)}
	var err error
	if v.sim, err = parseRunFlags(append(common, "-clock", "virtual", "-count", strconv.Itoa(*count))); err != nil {
		return nil, err
	}
	tcpArgs := append(common, "-clock", "real", "-count", strconv.Itoa(*tcpCount), "-j", strconv.Itoa(*jobs))
	if v.tcp, err = parseRunFlags(tcpArgs); err != nil {
		return nil, err
	}
	v.tcp.net = bench.TCP
	for _, c := range []*runConfig{v.sim, v.tcp} {
		c.extra = append(c.extra, "-matrix.deadline="+deadline.String())
	}
	return v, nil
}

// validationReleases picks the oldest and newest releases tracked in
// modDir and both sides of every behaviour change between consecutive
// releases in the results folder results (its default-toolchain, virtual,
// local files).
func validationReleases(modDir, results string) ([]string, []change, error) {
	have, err := tracked(modDir)
	if err != nil {
		return nil, nil, err
	}
	pick := map[string]bool{first(have): true, last(have): true}
	files, _ := filepath.Glob(filepath.Join(results, "grpc-v*.txt"))
	type run struct {
		release string
		cells   map[string]map[string][]float64
	}
	var runs []run
	for _, f := range files {
		rel := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "grpc-"), ".txt")
		if !semver.IsValid(rel) || semver.Prerelease(rel) != "" || strings.Count(rel, ".") != 2 {
			continue // another toolchain, clock, link or shard
		}
		cells, err := readSamples(f)
		if err != nil {
			return nil, nil, err
		}
		runs = append(runs, run{rel, cells})
	}
	sort.Slice(runs, func(i, j int) bool { return semver.Compare(runs[i].release, runs[j].release) < 0 })
	var changes []change
	for i := 1; i < len(runs); i++ {
		a, b := runs[i-1], runs[i]
		for _, cell := range sortedNames(b.cells) {
			for _, unit := range []string{bench.UnitMissed, bench.UnitUndetected} {
				x, y := a.cells[cell][unit], b.cells[cell][unit]
				if len(x) > 0 && len(y) > 0 && math.Abs(mean(x)-mean(y)) >= 0.5 {
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
	ctx, stop := signalContext()
	defer stop()
	return v.run(ctx, os.Stdout)
}

func (v *validateConfig) run(ctx context.Context, out io.Writer) error {
	start := time.Now()
	if len(v.changes) > 0 {
		fmt.Fprintf(os.Stderr, "validate: %d cells change behaviour between releases in the baseline, first %s..%s (%s %s)\n",
			len(v.changes), v.changes[0].from, v.changes[0].to, v.changes[0].cell, v.changes[0].unit)
	}
	fmt.Fprintf(os.Stderr, "validate: virtual netsim, then real TCP with server processes: %s\n", strings.Join(v.sim.releases, " "))
	// A release whose cells partly failed still gets its verdicts.
	simErr := v.sim.runAll(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	tcpErr := v.tcp.runAll(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var tables []*validation
	for _, rel := range v.sim.releases {
		t, err := compareNets(rel, v.sim.resultPath(rel), v.tcp.resultPath(rel))
		if err != nil {
			return err
		}
		tables = append(tables, t)
	}
	w, err := bench.CreatePending(v.report)
	if err != nil {
		return err
	}
	writeValidationReport(w, tables, v, time.Since(start))
	if err := w.Commit(); err != nil {
		return err
	}
	agree, total := 0, 0
	for _, t := range tables {
		t.print(out)
		for _, r := range t.rows {
			total++
			if r.agrees() {
				agree++
			}
		}
	}
	fmt.Fprintf(out, "%d of %d cells agree; report in %s (%v)\n", agree, total, v.report, time.Since(start).Round(time.Second))
	return errors.Join(simErr, tcpErr)
}

// validation is one release's cells side by side on both networks.
type validation struct {
	release string
	rows    []verdict
}

// verdict compares one cell's samples on both networks.
type verdict struct {
	cell     string
	sim, tcp map[string][]float64 // samples by unit
	differs  []string             // what disagrees; empty when the cell agrees
}

func (r verdict) agrees() bool { return len(r.differs) == 0 }

// compareNets reads a release's results on both networks and judges each
// cell.
func compareNets(release, simFile, tcpFile string) (*validation, error) {
	sim, err := readSamples(simFile)
	if err != nil {
		return nil, err
	}
	tcp, err := readSamples(tcpFile)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, m := range []map[string]map[string][]float64{sim, tcp} {
		for n := range m {
			if strings.HasPrefix(n, "Reconnect/") {
				names[n] = true
			}
		}
	}
	t := &validation{release: release}
	for _, n := range sortedNames(names) {
		t.rows = append(t.rows, judge(n, sim[n], tcp[n]))
	}
	return t, nil
}

// judge applies the agreement rules to one cell. Where the simulation
// itself varies (backoff jitter), the real samples must fall within the
// range it produced, widened by the tolerance.
func judge(name string, sim, tcp map[string][]float64) verdict {
	r := verdict{cell: name, sim: sim, tcp: tcp}
	switch {
	case sim == nil:
		r.differs = append(r.differs, "no netsim result")
		return r
	case tcp == nil:
		r.differs = append(r.differs, "no tcp result")
		return r
	}
	for _, unit := range []string{bench.UnitMissed, bench.UnitUndetected, bench.UnitDials, bench.UnitDetect, bench.UnitRecover} {
		s, x := sim[unit], tcp[unit]
		if len(s) == 0 || len(x) == 0 {
			continue // a time that never happened on one side is judged by missed or undetected
		}
		lo, hi := minMax(s)
		switch unit {
		case bench.UnitDials:
			lo, hi = lo-dialSlack, hi+dialSlack
		case bench.UnitDetect, bench.UnitRecover:
			lo, hi = lo-timeTolerance(lo), hi+timeTolerance(hi)
		}
		if xlo, xhi := minMax(x); xlo < lo || xhi > hi {
			r.differs = append(r.differs, strings.TrimSuffix(unit, "/op"))
		}
	}
	return r
}

// timeTolerance is how far a time of v nanoseconds may be off.
func timeTolerance(v float64) float64 {
	return math.Max(timeShare*v, float64(timeFloor))
}

func (t *validation) print(w io.Writer) {
	fmt.Fprintf(w, "\ngRPC-Go %s: netsim (virtual clock) | tcp (real processes, real clock)\n", t.release)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "cell\tmissed\tundetected\tdials\tdetect (s)\trecover (s)\tverdict")
	for _, r := range t.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", shortCell(r.cell),
			pair(r, bench.UnitMissed, 1), pair(r, bench.UnitUndetected, 1), pair(r, bench.UnitDials, 1),
			pair(r, bench.UnitDetect, 1e9), pair(r, bench.UnitRecover, 1e9), r.word())
	}
	tw.Flush()
}

func (r verdict) word() string {
	if r.agrees() {
		return "agrees"
	}
	return "DIFFERS: " + strings.Join(r.differs, ", ")
}

// pair formats a unit's samples on both networks as "netsim | tcp", each a
// value or a range.
func pair(r verdict, unit string, scale float64) string {
	return span(r.sim[unit], scale) + " | " + span(r.tcp[unit], scale)
}

func span(xs []float64, scale float64) string {
	if len(xs) == 0 {
		return "-"
	}
	lo, hi := minMax(xs)
	f := func(v float64) string { return strconv.FormatFloat(v/scale, 'f', -1, 64) }
	if scale != 1 {
		f = func(v float64) string { return strconv.FormatFloat(v/scale, 'f', 2, 64) }
	}
	if f(lo) == f(hi) {
		return f(lo)
	}
	return f(lo) + "–" + f(hi)
}

// shortCell turns "Reconnect/strategy=s/scenario=f/traffic=t" into "s f t".
func shortCell(name string) string {
	var parts []string
	for _, p := range strings.Split(name, "/")[1:] {
		_, v, _ := strings.Cut(p, "=")
		parts = append(parts, v)
	}
	return strings.Join(parts, " ")
}

func writeValidationReport(w io.Writer, tables []*validation, v *validateConfig, took time.Duration) {
	fmt.Fprintf(w, "# Simulation against reality\n\n")
	fmt.Fprintf(w, "`make validate`, %s, %s, %v. Each cell ran %d times on netsim with the virtual clock and %d times on loopback TCP with real server processes (SIGKILL, SIGTERM, a blackholing proxy).\n",
		time.Now().UTC().Format("2006-01-02"), v.sim.goVersion, took.Round(time.Second), v.sim.matrix.Count, v.tcp.matrix.Count)
	fmt.Fprintf(w, "A cell agrees when missed/op and undetected/op are the same, dial attempts are within ±%d, and detection and recovery times are within %g%% or %v, whichever is larger, of the range netsim produced. Cells show `netsim | tcp`, each a value or a range.\n",
		dialSlack, timeShare*100, timeFloor)
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
		agree := 0
		for _, r := range t.rows {
			if r.agrees() {
				agree++
			}
		}
		fmt.Fprintf(w, "\n## gRPC-Go %s: %d of %d cells agree\n\n", t.release, agree, len(t.rows))
		fmt.Fprintln(w, "| cell | missed | undetected | dials | detect (s) | recover (s) | verdict |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
		for _, r := range t.rows {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", shortCell(r.cell),
				pair(r, bench.UnitMissed, 1), pair(r, bench.UnitUndetected, 1), pair(r, bench.UnitDials, 1),
				pair(r, bench.UnitDetect, 1e9), pair(r, bench.UnitRecover, 1e9), r.word())
		}
	}
}

// readSamples reads a results file into samples by benchmark name (without
// a GOMAXPROCS suffix) and unit, in the units as written.
func readSamples(file string) (map[string]map[string][]float64, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return scanSamples(f, file)
}

func minMax(xs []float64) (float64, float64) {
	lo, hi := xs[0], xs[0]
	for _, x := range xs[1:] {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
