package main

import (
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/mod/semver"

	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

// TestDefaultReleasesHoldEveryBoundary holds versions/default.txt to its
// promise: for every change the baseline's bisections confirm, the
// default set has the tracked release of the first release's minor and the
// tracked release before it, so that make bench shows every boundary.
func TestDefaultReleasesHoldEveryBoundary(t *testing.T) {
	dir := filepath.Join(moduleRoot, versions.Dir)
	tracked, err := versions.Tracked(dir)
	if err != nil {
		t.Fatal(err)
	}
	def, err := versions.Select(dir, "default")
	if err != nil {
		t.Fatal(err)
	}
	bs, err := resultset.ReadBisections(filepath.Join(moduleRoot, "results", "baseline"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) == 0 {
		t.Fatal("the baseline has no bisections")
	}
	for _, b := range bs {
		if b.First == resultset.NotReproduced {
			continue
		}
		i := slices.IndexFunc(tracked, func(v string) bool { return semver.MajorMinor(v) == semver.MajorMinor(b.First) })
		if i <= 0 {
			t.Errorf("%s: first release %s has no tracked release of its minor with one before it", b.File, b.First)
			continue
		}
		for _, side := range []string{tracked[i-1], tracked[i]} {
			if !slices.Contains(def, side) {
				t.Errorf("versions/default.txt lacks %s, beside the change at %s (%s %s)", side, b.First, b.Name, b.Metric)
			}
		}
	}
}
