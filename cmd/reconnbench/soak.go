package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/reconnbench/reconnbench/bench"
)

// runSoak runs the soak, TestSoak in package bench (synctest needs a
// *testing.T), with go test. It is not run under the race detector, which
// would make it ten times slower; make test runs a small soak with it.
func runSoak(args []string) error {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	cycles := fs.Int("cycles", 10000, "restart cycles")
	limit := fs.Duration("time", 5*time.Minute, "stop starting cycles after this much wall time")
	seed := fs.Uint64("seed", 0, "seed of the random cycles; 0 for a fresh one, printed")
	strategies := fs.String("strategies", "", "strategies (default all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	switch {
	case *cycles < 1:
		return fmt.Errorf("SOAK_CYCLES %d: must be at least 1", *cycles)
	case *limit < 0:
		return fmt.Errorf("SOAK_TIME %v: must not be negative", *limit)
	}
	m := bench.DefaultMatrix()
	if s := bench.ParseList(*strategies); len(s) > 0 {
		m.Strategies = s
	}
	if err := m.Validate(); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-v", "-timeout", "1h", "-run", "^TestSoak$", "./bench", "-args",
		"-soak.cycles", strconv.Itoa(*cycles), "-soak.time", limit.String(), "-soak.seed", strconv.FormatUint(*seed, 10),
		"-soak.strategies", *strategies)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}
