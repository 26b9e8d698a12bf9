package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/semver"
	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/bench"
)

// Cell is where a strategy meets a fault and a traffic mode.
type Cell struct{ Strategy, Fault, Traffic string }

// Samples holds one value per result line, by unit as benchfmt tidies it
// (recover-sec/op, missed/op, ...). A unit a line lacks (a latency of a
// missed cycle) is simply not there.
type Samples map[string][]float64

// Run is one gRPC-Go release measured under one toolchain, clock and link.
// Results that differ in any of these are separate Runs, never averaged
// together.
type Run struct {
	Release         string // the linked gRPC-Go version, from the grpc key
	Label           string // the release, plus go, clock and link where they differ from the rest
	Go, Clock, Link string

	Cells  map[Cell]Samples
	Replay map[string]Samples // by "strategy/mode"
	Traces []bench.CellTrace  // one cycle per cell, where a trace file exists
}

// Dataset is every run in a results folder, oldest release first.
type Dataset struct {
	Runs       []*Run
	Strategies []string // sorted
	Faults     []string
	Traffic    []string
}

// resultsFiles lists the release results files in dir.
func resultsFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "grpc-*.txt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no results files (grpc-*.txt) in %s: run make bench first", dir)
	}
	return files, nil
}

// Load reads results files, and the trace file next to each if there is
// one. Every problem is an error naming the file and, where it has one,
// the line.
func Load(files []string) (*Dataset, error) {
	runs := map[string]*Run{}
	strategies, faults, traffic := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, file := range files {
		if err := loadFile(file, runs, strategies, faults, traffic); err != nil {
			return nil, err
		}
	}
	d := &Dataset{Strategies: keys(strategies), Faults: keys(faults), Traffic: orderTraffic(keys(traffic))}
	for _, r := range runs {
		d.Runs = append(d.Runs, r)
	}
	sort.Slice(d.Runs, func(i, j int) bool {
		a, b := d.Runs[i], d.Runs[j]
		if c := semver.Compare(a.Release, b.Release); c != 0 {
			return c < 0
		}
		return a.Go+a.Clock+a.Link < b.Go+b.Clock+b.Link
	})
	label(d.Runs)
	return d, nil
}

func loadFile(file string, runs map[string]*Run, strategies, faults, traffic map[string]bool) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r := benchfmt.NewReader(f, file)
	results := 0
	var touched []*Run
	for r.Scan() {
		var res *benchfmt.Result
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			return rec
		case *benchfmt.Result:
			res = rec
		default:
			continue
		}
		results++
		fn, line := res.Pos()
		pos := fmt.Sprintf("%s:%d", fn, line)
		name := res.Name.Full()
		baseb, parts := res.Name.Parts()
		base := string(baseb)
		kv := map[string]string{}
		for _, p := range parts {
			k, v, _ := strings.Cut(strings.TrimPrefix(string(p), "/"), "=")
			kv[k] = v
		}
		if base != "Reconnect" && base != "Replay" {
			continue // benchmarks this report does not draw, such as BenchmarkTransport
		}
		release := res.GetConfig("grpc")
		if !semver.IsValid(release) {
			return fmt.Errorf("%s: %s: configuration grpc is %q, want a gRPC-Go version such as v1.85.0", pos, name, release)
		}
		clock, link := res.GetConfig("clock"), res.GetConfig("link")
		if clock == "" || link == "" || res.GetConfig("go") == "" {
			return fmt.Errorf("%s: %s: configuration lacks go, clock or link", pos, name)
		}
		if base == "Replay" {
			// Throughput runs on the real clock by nature; it belongs
			// with the release's reconnect results of the same toolchain.
			clock = ""
		}
		key := release + " " + res.GetConfig("go") + " " + link
		run := runs[key]
		if run == nil {
			run = &Run{Release: release, Go: res.GetConfig("go"), Link: link,
				Cells: map[Cell]Samples{}, Replay: map[string]Samples{}}
			runs[key] = run
		}
		if clock != "" {
			if run.Clock != "" && run.Clock != clock {
				// A cell rerun on the real clock: keep it apart.
				key += " " + clock
				if runs[key] == nil {
					runs[key] = &Run{Release: release, Go: run.Go, Link: link, Clock: clock,
						Cells: map[Cell]Samples{}, Replay: map[string]Samples{}}
				}
				run = runs[key]
			}
			run.Clock = clock
		}
		touched = append(touched, run)
		var s Samples
		if base == "Reconnect" {
			c := Cell{kv["strategy"], kv["scenario"], kv["traffic"]}
			if c.Strategy == "" || c.Fault == "" || c.Traffic == "" {
				return fmt.Errorf("%s: %s: want strategy=, scenario= and traffic= in the name", pos, name)
			}
			strategies[c.Strategy], faults[c.Fault], traffic[c.Traffic] = true, true, true
			if run.Cells[c] == nil {
				run.Cells[c] = Samples{}
			}
			s = run.Cells[c]
		} else {
			k := kv["strategy"] + "/" + kv["mode"]
			if run.Replay[k] == nil {
				run.Replay[k] = Samples{}
			}
			s = run.Replay[k]
		}
		for _, v := range res.Values {
			s[v.Unit] = append(s[v.Unit], v.Value)
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	if results == 0 {
		return fmt.Errorf("%s: no benchmark results in the file", file)
	}
	return loadTraces(bench.TracePath(file), touched)
}

// loadTraces attaches the trace file at path, if it exists, to the runs of
// its results file.
func loadTraces(path string, runs []*Run) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	traces, err := bench.ReadTraces(f, path)
	if err != nil {
		return err
	}
	seen := map[*Run]bool{}
	for _, r := range runs {
		if !seen[r] && len(r.Cells) > 0 {
			seen[r] = true
			r.Traces = append(r.Traces, traces...)
		}
	}
	return nil
}

// label names each run by its release, adding the toolchain, clock and
// link where runs differ in them.
func label(runs []*Run) {
	gos, clocks, links := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range runs {
		gos[r.Go], clocks[r.Clock], links[r.Link] = true, true, true
	}
	for _, r := range runs {
		r.Label = r.Release
		if len(gos) > 1 {
			r.Label += " " + r.Go
		}
		if len(clocks) > 1 && r.Clock != "" {
			r.Label += " " + r.Clock
		}
		if len(links) > 1 {
			r.Label += " " + r.Link
		}
	}
}

func keys(m map[string]bool) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// orderTraffic puts the traffic modes in the order of the question: idle
// first, the case of grpc-go#7688.
func orderTraffic(t []string) []string {
	rank := map[string]int{"idle": 0, "busy": 1, "stream": 2}
	sort.SliceStable(t, func(i, j int) bool {
		ri, ok := rank[t[i]]
		if !ok {
			ri = 3
		}
		rj, ok := rank[t[j]]
		if !ok {
			rj = 3
		}
		return ri < rj
	})
	return t
}
