// Package plots draws reconnbench's results as figures and writes a
// report; `reconnbench plots` (make plots) is its command line.
//
// Write reads every results file (grpc-*.txt) of a results folder, and the
// trace file beside each (grpc-*.trace) where there is one, through
// package resultset. It summarises each cell (median, percentiles and a
// 95% confidence interval of the median, see resultset.Summarize), draws
// seven kinds of figure as PNG and SVG into <results>/figures/, and writes
// <results>/REPORT.md, which embeds them by relative links, so a committed
// results folder carries its own figures and report. Findings in the
// report are computed from the results, never written by hand.
//
// Results of different toolchains, clocks or links (configuration keys
// go, clock, link) are kept apart as series of their own and labelled,
// for example "v1.85.0 (real)"; they are never pooled.
//
// Nothing is written unless everything was read and drawn: every figure
// and the report are rendered in memory, written under temporary names
// and renamed into place together.
package plots

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/reconnbench/reconnbench/resultset"
)

// FigDir is where the figures go, inside the results folder.
const FigDir = "figures"

// Options choose what the per-release figures show.
type Options struct {
	// Traffic is the traffic mode of the recovery, dials and timeline
	// figures; "" for idle, or the first the results have.
	Traffic string
	// Release is the release of the distribution and timeline figures, as
	// a version or a label such as "v1.85.0 (real)"; "" for the newest.
	Release string
	// SVG writes each figure as SVG too.
	SVG bool
	// Releases, if set, are the releases of the figures that draw
	// releases along an axis and of the report's tables by release: a
	// results folder of every release reads better through a few. The
	// findings, the advice table and the boundaries use every release.
	Releases []string
	// Readme, if set, is a file whose findings block (between the markers
	// readmeBegin and readmeEnd) is rewritten from the results too: the
	// project's README.md, from the baseline.
	Readme string
}

// Write reads the results folder results and writes its figures and
// report into it, all or nothing. It reports on log what it wrote and
// which figures it could not draw for lack of data.
func Write(results string, o Options, log io.Writer) error {
	files, err := resultset.Files(results)
	if err != nil {
		return err
	}
	all, err := resultset.Load(files)
	if err != nil {
		return err
	}
	if len(all.Runs) == 0 {
		return fmt.Errorf("%s: no BenchmarkReconnect results in %d files", results, len(files))
	}
	// The figures, findings and tables show one set of conditions
	// (downtime, quiet time, client): those of results written before
	// they were keys where the results have them.
	conds := all.AllConditions()
	d := all.Only(conds[0])
	traffic := o.Traffic
	if traffic == "" {
		traffic = d.Traffic[0] // idle first, where there is idle
	}
	if !slices.Contains(d.Traffic, traffic) {
		return fmt.Errorf("traffic mode %q is not in the results (have: %s)", traffic, strings.Join(d.Traffic, ", "))
	}
	one, err := d.FindRun(o.Release)
	if err == nil && one == nil {
		err = fmt.Errorf("no results of the main series under %s", d.Conditions)
	}
	if err != nil {
		return err
	}

	view := d
	if len(o.Releases) > 0 {
		if view = d.OnlyReleases(o.Releases); len(view.Runs) == 0 {
			return fmt.Errorf("none of the releases to show (%s) is in the results", strings.Join(o.Releases, " "))
		}
		if !slices.ContainsFunc(view.Runs, func(r *resultset.Run) bool { return r == one }) {
			one = view.Runs[len(view.Runs)-1]
		}
	}
	figs, skipped, err := drawAll(all, view, traffic, one)
	if err != nil {
		return err
	}
	bs, err := resultset.ReadBisections(results)
	if err != nil {
		return err
	}
	rp := report{d: d, view: view, all: all, others: conds[1:], bs: bs, figs: figs, figDir: FigDir, skipped: skipped, svg: o.SVG}

	var outs []output
	dir := filepath.Join(results, FigDir)
	for _, f := range figs {
		outs = append(outs, output{filepath.Join(dir, f.Name+".png"), f.PNG})
		if o.SVG {
			outs = append(outs, output{filepath.Join(dir, f.Name+".svg"), f.SVG})
		}
	}
	outs = append(outs, output{filepath.Join(results, "REPORT.md"), []byte(rp.markdown())})
	if o.Readme != "" {
		data, err := rewriteReadme(o.Readme, readmeFindings(all, bs))
		if err != nil {
			return err
		}
		outs = append(outs, output{o.Readme, data})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeAll(outs); err != nil {
		return err
	}
	if err := removeStale(dir, outs); err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintf(log, "plots: not drawn: %s\n", s)
	}
	fmt.Fprintf(log, "plots: %d figures in %s, report %s\n", len(figs), dir, filepath.Join(results, "REPORT.md"))
	return nil
}

// drawAll renders every figure in memory, and says which it could not
// draw for lack of data.
func drawAll(all, d *resultset.Set, traffic string, one *resultset.Run) (figs []*Figure, skipped []string, err error) {
	// The release's run with every condition's cells, for the figures
	// across conditions.
	var full *resultset.Run
	for _, r := range all.Runs {
		if r.Release == one.Release && r.Series == one.Series {
			full = r
		}
	}
	add := func(f *Figure, err error, why string) error {
		switch {
		case err != nil:
			return err
		case f == nil:
			skipped = append(skipped, why)
		default:
			figs = append(figs, f)
		}
		return nil
	}
	steps := []func() error{
		func() error { f, err := recoveryFigure(d, traffic); return add(f, err, "") },
		func() error { f, err := missedFigure(d); return add(f, err, "") },
		func() error { f, err := dialsFigure(d, traffic); return add(f, err, "") },
		func() error {
			if !slices.Contains(d.Faults, "blackhole") {
				skipped = append(skipped, "detection time after a blackhole (figure 4): the results have no blackhole fault")
				return nil
			}
			f, err := detectionFigure(d)
			return add(f, err, "")
		},
		func() error { f, err := cdfFigure(d, one); return add(f, err, "") },
		func() error {
			f, err := downtimeFigure(all, d, full)
			return add(f, err, fmt.Sprintf("recovery and dials against the downtime: the results of %s have crash cells of one downtime only", one.Label))
		},
		func() error {
			f, err := situationsFigure(all, d, full)
			return add(f, err, "")
		},
		func() error {
			f, err := throughputFigure(d)
			return add(f, err, "replay throughput (figure 6): the results have no BenchmarkReplay lines")
		},
		func() error {
			if len(one.Traces) == 0 {
				skipped = append(skipped, fmt.Sprintf("timelines (figure 7): no trace file (grpc-%s….trace) beside the results of %s", one.Release, one.Label))
				return nil
			}
			first := true
			for _, fault := range restartFaults(d) {
				f, err := timelineFigure(d, one, fault, traffic)
				if f != nil && !first {
					// The first timeline's caption explains them all.
					f.Caption = "Like the timeline above, for a " + fault + " restart."
				}
				first = first && f == nil
				why := fmt.Sprintf("timeline of a %s restart (figure 7): the traces of %s have no %s/%s cycle", fault, one.Label, fault, traffic)
				if err := add(f, err, why); err != nil {
					return err
				}
			}
			return nil
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, nil, err
		}
	}
	return figs, skipped, nil
}

// output is a file to write.
type output struct {
	path string
	data []byte
}

// writeAll writes every output under a temporary name beside it and, only
// when all are written, renames them into place: a failure leaves the old
// files as they were and no partial figure.
func writeAll(outs []output) (err error) {
	tmps := make([]string, 0, len(outs))
	defer func() {
		if err != nil {
			for _, t := range tmps {
				os.Remove(t)
			}
		}
	}()
	for _, o := range outs {
		f, err := os.CreateTemp(filepath.Dir(o.path), "."+filepath.Base(o.path)+".*.tmp")
		if err != nil {
			return err
		}
		tmps = append(tmps, f.Name())
		_, err = f.Write(o.data)
		if err == nil {
			err = f.Chmod(0o644)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", o.path, err)
		}
	}
	for i, o := range outs {
		if err := os.Rename(tmps[i], o.path); err != nil {
			return err
		}
	}
	return nil
}

// removeStale deletes figures a previous run drew that this one did not
// (a throughput figure whose results are gone, a fault no longer
// measured), so that the folder matches the report. Only PNG and SVG files
// of the figures folder are touched: it is generated.
func removeStale(dir string, outs []output) error {
	keep := map[string]bool{}
	for _, o := range outs {
		keep[filepath.Clean(o.path)] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		p := filepath.Join(dir, e.Name())
		if e.Type().IsRegular() && (ext == ".png" || ext == ".svg") && !keep[p] {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}
