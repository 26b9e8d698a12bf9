package main

import (
	"flag"
	"os"

	"github.com/reconnbench/reconnbench/plots"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

// runPlots draws the figures and writes the report of a results folder
// (package plots).
func runPlots(args []string) error {
	fs := flag.NewFlagSet("plots", flag.ContinueOnError)
	results := fs.String("results", "results", "results folder to read, and to write figures/ and REPORT.md into")
	traffic := fs.String("traffic", "", "traffic mode of the recovery, dials and timeline figures (default idle, or the first the results have)")
	release := fs.String("release", "", "release of the distribution and timeline figures, as a version or a label such as \"v1.85.0 (real)\" (default the newest)")
	svg := fs.Bool("svg", true, "write each figure as SVG too")
	readme := fs.String("readme", "", "also rewrite the findings block of this file, such as README.md, from the results")
	show := fs.String("versions", "all", "releases of the figures and tables by release: all, default (versions/default.txt), or a list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if _, err := resultset.Files(*results); err != nil {
		return err
	}
	var releases []string
	if *show != "all" {
		var err error
		if releases, err = versions.Select(versions.Dir, *show); err != nil {
			return err
		}
	}
	unlock, err := lockResults(*results, "plots")
	if err != nil {
		return err
	}
	defer unlock()
	return plots.Write(*results, plots.Options{Traffic: *traffic, Release: *release, SVG: *svg, Readme: *readme, Releases: releases}, os.Stderr)
}
