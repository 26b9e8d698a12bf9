package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/reconnbench/reconnbench/resultset"
)

// runCompare runs benchstat over results files: the releases of one
// results folder side by side (the "grpc" configuration key as columns),
// or two of them, or a run beside a baseline (-base), release by release.
// Results of different toolchains, clocks or links land in separate
// tables, never pooled.
//
// Every file is read and checked first, and benchstat is given copies
// with the benchmark names as this version spells them, so that results
// written before a key was renamed line up with those written after it.
func runCompare(args []string) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	results := fs.String("results", "results", "results folder")
	a := fs.String("a", "", "compare only this release ...")
	b := fs.String("b", "", "... with this one")
	base := fs.String("base", "", "a baseline results folder, such as results/baseline: show each release of -results beside its baseline")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("compare takes flags only (-results, -a, -b, -base), not %q", fs.Args())
	}
	files, err := resultset.Files(*results)
	if err != nil {
		return err
	}
	have := releasesOf(files)
	switch {
	case *a == "" && *b == "":
	case *a == "" || *b == "":
		return fmt.Errorf("A=%q B=%q: compare needs both A and B, such as A=v1.40.1 B=v1.65.1, or neither", *a, *b)
	default:
		for _, v := range []string{*a, *b} {
			if !slices.Contains(have, v) {
				return fmt.Errorf("no results for gRPC-Go %s in %s (have: %s): run make bench VERSIONS=%s", v, *results, strings.Join(have, " "), v)
			}
		}
	}
	tmp, err := os.MkdirTemp("", "reconnbench-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bsArgs := []string{"tool", "benchstat"}
	switch {
	case *base != "":
		baseFiles, err := resultset.Files(*base)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		// Releases of one side only would be tables of one column.
		common := intersect(have, releasesOf(baseFiles))
		if len(common) == 0 {
			return fmt.Errorf("the baseline %s has none of the releases in %s (%s)", *base, *results, strings.Join(have, " "))
		}
		baseline, err := canonicalCopies(ofReleases(baseFiles, common), filepath.Join(tmp, "baseline"))
		if err != nil {
			return err
		}
		// One table per release and series; a toolchain of its own still
		// lines up with the baseline, since that is a comparison worth making.
		bsArgs = append(bsArgs, "-table", "grpc,clock,net,link", "-col", ".file")
		for _, f := range baseline {
			bsArgs = append(bsArgs, "baseline="+f)
		}
		yours, err := canonicalCopies(ofReleases(files, common), filepath.Join(tmp, "yours"))
		if err != nil {
			return err
		}
		for _, f := range yours {
			bsArgs = append(bsArgs, "yours="+f)
		}
	default:
		yours, err := canonicalCopies(files, filepath.Join(tmp, "yours"))
		if err != nil {
			return err
		}
		bsArgs = append(bsArgs, "-col", "grpc")
		if *a != "" {
			bsArgs = append(bsArgs, "-filter", fmt.Sprintf("grpc:%s OR grpc:%s", *a, *b))
		}
		bsArgs = append(bsArgs, yours...)
	}
	cmd := exec.Command("go", bsArgs...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// canonicalCopies reads and checks every results file and writes a copy of
// each into dir, as benchstat should see it.
func canonicalCopies(files []string, dir string) ([]string, error) {
	var out []string
	for _, f := range files {
		c := filepath.Join(dir, filepath.Base(f))
		if err := resultset.Merge(c, []string{f}, nil); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// releasesOf returns the releases results files are named for, in order.
func releasesOf(files []string) []string {
	var rels []string
	for _, f := range files {
		if v := resultset.ReleaseOfFile(f); v != "" && !slices.Contains(rels, v) {
			rels = append(rels, v)
		}
	}
	semver.Sort(rels)
	return rels
}

// ofReleases returns the files named for one of rels.
func ofReleases(files, rels []string) []string {
	var out []string
	for _, f := range files {
		if slices.Contains(rels, resultset.ReleaseOfFile(f)) {
			out = append(out, f)
		}
	}
	return out
}

func intersect(a, b []string) []string {
	var both []string
	for _, v := range a {
		if slices.Contains(b, v) {
			both = append(both, v)
		}
	}
	return both
}
