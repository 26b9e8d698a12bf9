package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/semver"
)

// runCompare runs benchstat over the results with releases side by side as
// columns (the "grpc" configuration key), or over two releases only.
// Results of different toolchains, clocks or links land in separate tables,
// never averaged together.
func runCompare(args []string) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	results := fs.String("results", "results", "results folder")
	a := fs.String("a", "", "compare only this release ...")
	b := fs.String("b", "", "... with this one")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(*results, "grpc-*.txt"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no results in %s: run make bench first", *results)
	}
	have := map[string]bool{}
	for _, f := range files {
		have[releaseOfFile(f)] = true
	}
	bsArgs := []string{"tool", "benchstat", "-col", "grpc"}
	switch {
	case *a == "" && *b == "":
	case *a == "" || *b == "":
		return fmt.Errorf("compare needs both A and B, such as A=v1.40.1 B=v1.65.1")
	default:
		for _, v := range []string{*a, *b} {
			if !have[v] {
				return fmt.Errorf("no results for gRPC-Go %s in %s (have: %s): run make bench VERSIONS=%s", v, *results, strings.Join(sortedKeys(have), " "), v)
			}
		}
		bsArgs = append(bsArgs, "-filter", fmt.Sprintf("grpc:%s OR grpc:%s", *a, *b))
	}
	cmd := exec.Command("go", append(bsArgs, files...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// releaseOfFile returns the release a results file is named for:
// grpc-v1.65.1.go1.23.12.real.txt -> v1.65.1.
func releaseOfFile(path string) string {
	name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "grpc-"), ".txt")
	parts := strings.SplitN(name, ".", 4)
	if len(parts) < 3 {
		return name
	}
	return strings.Join(parts[:3], ".")
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return semver.Compare(keys[i], keys[j]) < 0 })
	return keys
}
