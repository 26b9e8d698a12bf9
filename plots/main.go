// Command plots draws the reconnbench results as figures and writes a
// report.
//
//	go run ./plots [-results results] [-traffic idle] [-release v1.85.0]
//
// It reads every results file (grpc-*.txt) and trace file of the results
// folder, summarises each cell (median, percentiles, a 95% confidence
// interval of the median) and writes PNG figures into the folder's figures/
// and the report REPORT.md next to the results. Nothing is written unless
// everything is read and drawn: a malformed file stops it with its name and
// line.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/reconnbench/reconnbench/bench"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "plots:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("plots", flag.ContinueOnError)
	results := fs.String("results", "results", "results folder to read, and to write figures/ and REPORT.md into")
	traffic := fs.String("traffic", "", "traffic mode of the recovery, dials and timeline figures (default idle, or the first the results have)")
	release := fs.String("release", "", "release of the distribution and timeline figures (default: the newest)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	files, err := resultsFiles(*results)
	if err != nil {
		return err
	}
	d, err := Load(files)
	if err != nil {
		return err
	}
	if len(d.Runs) == 0 || len(d.Strategies) == 0 {
		return fmt.Errorf("%s: no reconnect results in %d files", *results, len(files))
	}
	if *traffic == "" {
		*traffic = d.Traffic[0] // idle first, where there is idle
	}
	if !slices.Contains(d.Traffic, *traffic) {
		return fmt.Errorf("traffic mode %q is not in the results (have: %v)", *traffic, d.Traffic)
	}
	one, err := newestRun(d, *release)
	if err != nil {
		return err
	}

	// Draw everything in memory first: a failure leaves no partial set.
	var figs []*Figure
	var skipped []string
	add := func(f *Figure, err error, why string) error {
		if err != nil {
			return err
		}
		if f == nil {
			skipped = append(skipped, why)
			return nil
		}
		figs = append(figs, f)
		return nil
	}
	rec, err := recoveryFigure(d, *traffic)
	if err := add(rec, err, ""); err != nil {
		return err
	}
	figs = append(figs, missedFigure(d), dialsFigure(d, *traffic))
	if slices.Contains(d.Faults, "blackhole") {
		det, err := detectionFigure(d)
		if err := add(det, err, ""); err != nil {
			return err
		}
	}
	cdf, err := cdfFigure(d, one)
	if err := add(cdf, err, ""); err != nil {
		return err
	}
	tput, err := throughputFigure(d)
	if err := add(tput, err, "replay throughput: the results have no BenchmarkReplay lines"); err != nil {
		return err
	}
	for _, fault := range []string{"crash", "blackhole"} {
		f, err := timelineFigure(d, one, fault, *traffic)
		if err := add(f, err, fmt.Sprintf("timeline of a %s restart: no trace file for %s", fault, one.Label)); err != nil {
			return err
		}
	}

	figDir := filepath.Join(*results, "figures")
	if err := os.MkdirAll(figDir, 0o755); err != nil {
		return err
	}
	for _, f := range figs {
		if err := f.write(figDir); err != nil {
			return err
		}
	}
	report, err := bench.CreatePending(filepath.Join(*results, "REPORT.md"))
	if err != nil {
		return err
	}
	if err := writeReport(report, d, files, figs, "figures", skipped); err != nil {
		report.Discard()
		return err
	}
	if err := report.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "plots: %d figures in %s, report %s\n", len(figs), figDir, report.Path())
	return nil
}
