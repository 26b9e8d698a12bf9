package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/semver"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

// oldestToolchain is the first Go minor the compatibility table covers.
const oldestToolchain = "go1.21"

// compatCell is what one toolchain made of one release.
type compatCell struct {
	built, ran bool
	clock      bench.Clock
	why        string // when it did not build or run
}

func (c compatCell) String() string {
	switch {
	case c.ran:
		return "yes (" + string(c.clock) + ")"
	case c.built:
		return "builds, run fails: " + c.why
	default:
		return "no: " + c.why
	}
}

// runCompat builds and smoke-runs every selected release with every
// toolchain and prints a Markdown table: an actual build and run, not a
// reading of go lines.
func runCompat(args []string) error {
	fs := flag.NewFlagSet("compat", flag.ContinueOnError)
	releases := fs.String("versions", "default", "releases: default, all, or a list")
	toolchains := fs.String("go", "", "toolchains, space-separated (default: the newest patch of every Go minor from "+oldestToolchain+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rels, err := versions.Select(versions.Dir, *releases)
	if err != nil {
		return err
	}
	tcs := strings.Fields(*toolchains)
	for _, tc := range tcs {
		if !toolchainPattern.MatchString(tc) {
			return fmt.Errorf("toolchain %q in TOOLCHAINS: want Go releases such as go1.23.12 or go1.25, space-separated", tc)
		}
	}
	if len(tcs) == 0 {
		if tcs, err = newestToolchains(); err != nil {
			return err
		}
	}
	ctx, stop := signalContext()
	defer stop()

	tmp, err := os.MkdirTemp("", "reconnbench-compat-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	table := map[string]map[string]compatCell{}
	start := time.Now()
	total, done := len(tcs)*len(rels), 0
	for _, tc := range tcs {
		c := &runConfig{matrix: smokeMatrix(), link: netsim.Local.Name,
			extra: []string{"-matrix.settle=100ms"}}
		if err := c.resolveToolchainQuiet(tc); err != nil {
			return err
		}
		table[tc] = map[string]compatCell{}
		for _, v := range rels {
			cell := c.smoke(ctx, tmp, v)
			table[tc][v] = cell
			done++
			fmt.Fprintf(os.Stderr, "[%d/%d] %s, gRPC-Go %s: %v; elapsed %v\n", done, total, c.goVersion, v, cell, time.Since(start).Round(time.Second))
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	writeCompatTable(os.Stdout, tcs, rels, table)
	return nil
}

// smokeMatrix is one cell that exercises reconnect, keepalive-free, on
// whichever clock the toolchain has.
func smokeMatrix() bench.Matrix {
	m := bench.DefaultMatrix()
	m.Strategies, m.Faults, m.Traffic, m.Count = []string{"watcher"}, []string{"crash"}, []bench.Traffic{bench.Busy}, 1
	m.Downtimes, m.Quiets = []time.Duration{200 * time.Millisecond}, []time.Duration{100 * time.Millisecond}
	return m
}

func (c *runConfig) smoke(ctx context.Context, tmp, v string) compatCell {
	bin, err := c.build(ctx, tmp, versions.ModFile(versions.Dir, v), v)
	if err != nil {
		why := strings.TrimPrefix(err.Error(), errCannotBuild.Error()+" with "+c.goVersion+": ")
		if !errors.Is(err, errCannotBuild) {
			why = firstLine(err.Error())
		}
		return compatCell{why: why}
	}
	defer os.Remove(bin)
	if err := c.runMatrix(ctx, bin, v, c.matrix, []resultset.Cell{c.matrix.Scenarios()[0].Cell()}, filepath.Join(tmp, "smoke.txt"), false); err != nil {
		return compatCell{built: true, why: err.Error()}
	}
	return compatCell{built: true, ran: true, clock: c.matrix.Clock}
}

// resolveToolchainQuiet is resolveToolchain for a table: the clock falls
// back without a message, the table says which clock ran.
func (c *runConfig) resolveToolchainQuiet(name string) error {
	stderr := os.Stderr
	os.Stderr, _ = os.Open(os.DevNull)
	defer func() { os.Stderr = stderr }()
	return c.resolveToolchain(name)
}

// newestToolchains lists the newest patch of every stable Go minor from
// oldestToolchain on that the module proxy serves for this platform.
func newestToolchains() ([]string, error) {
	out, err := versions.GoContext(context.Background(), "", nil, "list", "-m", "-versions", "golang.org/toolchain")
	if err != nil {
		return nil, err
	}
	newest := map[string]string{}
	for _, v := range strings.Fields(string(out))[1:] {
		// v0.0.1-go1.23.12.linux-amd64
		goV, ok := strings.CutSuffix(strings.TrimPrefix(v, "v0.0.1-go"), platformSuffix())
		if !ok || strings.Contains(goV, "rc") || strings.Contains(goV, "beta") {
			continue
		}
		sv := "v" + goV
		if !semver.IsValid(sv) || semver.Compare(sv, "v"+strings.TrimPrefix(oldestToolchain, "go")) < 0 {
			continue
		}
		mm := semver.MajorMinor(sv)
		if semver.Compare(sv, newest[mm]) > 0 {
			newest[mm] = sv
		}
	}
	var tcs []string
	for _, v := range newest {
		tcs = append(tcs, v)
	}
	semver.Sort(tcs)
	for i, v := range tcs {
		tcs[i] = "go" + strings.TrimPrefix(v, "v")
	}
	if len(tcs) == 0 {
		return nil, fmt.Errorf("the module proxy lists no Go toolchains for %s", platformSuffix())
	}
	return tcs, nil
}

func writeCompatTable(w io.Writer, tcs, rels []string, table map[string]map[string]compatCell) {
	fmt.Fprintf(w, "| gRPC-Go | %s |\n|---|%s\n", strings.Join(tcs, " | "), strings.Repeat("---|", len(tcs)))
	for _, v := range rels {
		row := make([]string, len(tcs))
		for i, tc := range tcs {
			row[i] = table[tc][v].String()
		}
		fmt.Fprintf(w, "| %s | %s |\n", v, strings.Join(row, " | "))
	}
	// The newest release each toolchain runs: the article's claim, checked.
	fmt.Fprintln(w)
	for _, tc := range tcs {
		var ok []string
		for _, v := range rels {
			if table[tc][v].ran {
				ok = append(ok, v)
			}
		}
		sort.Slice(ok, func(i, j int) bool { return semver.Compare(ok[i], ok[j]) < 0 })
		if len(ok) == 0 {
			fmt.Fprintf(w, "- %s runs none of these releases\n", tc)
			continue
		}
		fmt.Fprintf(w, "- %s runs %d of %d releases, %s to %s\n", tc, len(ok), len(rels), ok[0], ok[len(ok)-1])
	}
}

// platformSuffix is how toolchain module versions end for this machine.
func platformSuffix() string { return "." + runtime.GOOS + "-" + runtime.GOARCH }
