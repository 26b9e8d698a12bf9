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
	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/bench"
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
	if fs.NArg() > 0 {
		return fmt.Errorf("compare takes flags only (-results, -a, -b), not %q", fs.Args())
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
		have[bench.ReleaseOfFile(f)] = true
	}
	if err := checkResults(files); err != nil {
		return err
	}
	bsArgs := []string{"tool", "benchstat", "-col", "grpc"}
	switch {
	case *a == "" && *b == "":
	case *a == "" || *b == "":
		return fmt.Errorf("A=%q B=%q: compare needs both A and B, such as A=v1.40.1 B=v1.65.1, or neither", *a, *b)
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

// checkResults reads every results file before benchstat does, so that
// a malformed line, a missing configuration key or a file that mixes
// releases, toolchains or links stops the comparison with one line naming
// the file and line, instead of a table that pools what must not be
// pooled.
func checkResults(files []string) error {
	for _, name := range files {
		if err := checkResultsFile(name); err != nil {
			return err
		}
	}
	return nil
}

func checkResultsFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := benchfmt.NewReader(f, name)
	check := bench.NewFileCheck(name)
	n := 0
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			return rec
		case *benchfmt.Result:
			n++
			if err := check.Check(rec); err != nil {
				fn, line := rec.Pos()
				return fmt.Errorf("%s:%d: %s: %w", fn, line, rec.Name.Full(), err)
			}
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: no benchmark results in the file (remove it, or rerun make bench)", name)
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return semver.Compare(keys[i], keys[j]) < 0 })
	return keys
}
