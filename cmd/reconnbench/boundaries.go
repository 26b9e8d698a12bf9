package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/reconnbench/reconnbench/resultset"
)

// runBoundaries lists the behaviour boundaries of a results folder: every
// change of a cell's metric between consecutive releases, by benchstat's
// test (resultset.Boundaries). Without -all it leaves out the changes
// among overlapping values, which backoff jitter makes by chance.
func runBoundaries(args []string) error {
	fs := flag.NewFlagSet("boundaries", flag.ContinueOnError)
	results := fs.String("results", "results", "results folder")
	all := fs.Bool("all", false, "list the changes among overlapping values too")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	d, err := resultset.LoadDir(*results)
	if err != nil {
		return err
	}
	n, weak := 0, 0
	for _, b := range resultset.Boundaries(d) {
		mark := ""
		switch {
		case !b.Separated && !*all:
			weak++
			continue
		case !b.Separated:
			mark = "  (values overlap)"
		}
		series := ""
		if b.Series != d.Main {
			series = " [" + b.Series.Describe() + "]"
		}
		p := ""
		if b.P > 0 {
			p = fmt.Sprintf("  p=%.3f", b.P)
		}
		fmt.Printf("%s%s%s%s\n", b, series, p, mark)
		n++
	}
	fmt.Fprintf(os.Stderr, "reconnbench: %d changes between consecutive releases in %s", n, *results)
	if weak > 0 {
		fmt.Fprintf(os.Stderr, ", and %d among overlapping values (-all lists them)", weak)
	}
	fmt.Fprintln(os.Stderr)
	return nil
}
