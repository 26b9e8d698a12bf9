package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/resultset"
)

func TestSelection(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// want holds for every cell selected, and at least one cell is.
		want func(resultset.Cell) bool
		// count is how many cells, or 0 to check only want.
		count int
	}{
		{"the default set", nil, func(resultset.Cell) bool { return true }, len(bench.DefaultSet())},
		{"rolling cells of the default set", []string{"-faults", "rolling"}, func(c resultset.Cell) bool { return c.Fault == "rolling" && c.Policy == "round_robin" }, 0},
		{"dns cells of the default set", []string{"-resolver", "dns"}, func(c resultset.Cell) bool { return c.Resolver == "dns" }, 0},
		{"three backends of the default set", []string{"-backends", "3", "-policy", "round_robin"}, func(c resultset.Cell) bool {
			return c.Backends == 3 && c.Policy == "round_robin" && c.Fault == "rolling"
		}, 0},
		{"rolling in every combination", []string{"-scenarios", "all", "-faults", "rolling", "-strategies", "watcher", "-traffic", "idle"}, func(c resultset.Cell) bool {
			return c.Fault == "rolling" && c.Backends >= 2 && c.Resolver == "dns"
		}, len(bench.SetDowntimes) * len(bench.SetQuiets) * len(bench.SetClients) * len(bench.SetPolicies)},
		{"several backends need dns", []string{"-scenarios", "all", "-backends", "3", "-faults", "crash", "-strategies", "watcher", "-traffic", "idle", "-downtime", "1s", "-quiet", "2s", "-client", "dial"}, func(c resultset.Cell) bool {
			return c.Resolver == "dns" && c.Backends == 3
		}, len(bench.SetPolicies)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			sel := registerSelection(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			cells, err := sel.cells()
			if err != nil {
				t.Fatal(err)
			}
			if len(cells) == 0 || tt.count > 0 && len(cells) != tt.count {
				t.Errorf("%d cells, want %d", len(cells), tt.count)
			}
			for _, c := range cells {
				if !tt.want(c) {
					t.Errorf("cell %s selected", c.Name())
				}
			}
		})
	}
}

func TestDryRun(t *testing.T) {
	results := filepath.Join(t.TempDir(), "never")
	t.Chdir(moduleRoot) // where versions/ is, as the Makefile runs the command
	c, err := parseRunFlags([]string{"-n", "-faults", "move", "-versions", "v1.85.0", "-results", results})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.printPlan(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	cells := lines[:len(lines)-1]
	if want := fmt.Sprintf("%d cells × 1 releases (v1.85.0), 6 runs a cell", len(cells)); lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
	for _, name := range cells {
		if !strings.Contains(name, "/fault=move/") {
			t.Errorf("cell %s is not a move", name)
		}
	}
	if len(cells) == 0 {
		t.Error("no cell")
	}
	if _, err := os.Stat(results); !os.IsNotExist(err) {
		t.Errorf("a dry run made its results folder: %v", err)
	}
}
