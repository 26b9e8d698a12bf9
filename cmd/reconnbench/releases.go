package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/reconnbench/reconnbench/versions"
)

// runList prints the gRPC-Go releases on the module proxy, marking the
// latest patch of each minor and those tracked and in the default set.
func runList(args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("list takes no arguments, not %q", args)
	}
	rels, err := versions.ProxyReleases()
	if err != nil {
		return err
	}
	have, err := versions.Tracked(versions.Dir)
	if err != nil {
		return err
	}
	def, err := versions.DefaultSet(versions.Dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	latest := versions.LatestPatches(rels)
	for _, v := range rels {
		var marks []string
		if slices.Contains(latest, v) {
			marks = append(marks, "latest patch")
		}
		if slices.Contains(have, v) {
			marks = append(marks, "tracked")
		}
		if slices.Contains(def, v) {
			marks = append(marks, "default")
		}
		fmt.Printf("%-9s %s\n", v, strings.Join(marks, ", "))
	}
	return nil
}

// runAdd writes module files for releases; "latest" is the newest patch
// of every minor.
func runAdd(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("add needs releases, such as v1.65.0, or latest")
	}
	rels, err := versions.ProxyReleases()
	if err != nil {
		return err
	}
	var want []string
	for _, a := range args {
		if a == "latest" {
			want = append(want, versions.LatestPatches(rels)...)
			continue
		}
		if err := versions.CheckRelease(a, rels); err != nil {
			return err
		}
		want = append(want, a)
	}
	return writeModFiles(want)
}

// runRefresh rewrites the module files of tracked releases, all of them
// when none is given.
func runRefresh(args []string) error {
	have, err := versions.Tracked(versions.Dir)
	if err != nil {
		return err
	}
	want := args
	if len(want) == 0 {
		want = have
	}
	for _, v := range want {
		if !slices.Contains(have, v) {
			return fmt.Errorf("gRPC-Go %s has no module files to refresh (add it with `go run ./cmd/reconnbench add %s`)", v, v)
		}
	}
	return writeModFiles(want)
}

func writeModFiles(rels []string) error {
	semver.Sort(rels)
	for i, v := range rels {
		fmt.Fprintf(os.Stderr, "[%d/%d] %s\n", i+1, len(rels), versions.ModFile(versions.Dir, v))
		if err := versions.WriteModFiles(".", filepath.Join(versions.Dir, v), v); err != nil {
			return err
		}
	}
	return nil
}

// runResolve prints the releases a VERSIONS value selects.
func runResolve(args []string) error {
	rels, err := versions.Select(versions.Dir, strings.Join(args, " "))
	if err != nil {
		return err
	}
	fmt.Println(strings.Join(rels, " "))
	return nil
}
