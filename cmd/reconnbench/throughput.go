package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/resultset"
)

// runThroughputCmd runs the throughput benchmarks against the gRPC-Go
// release in go.mod, keeps the results and prints the ratios the project's
// targets are stated in. A benchmark that fails is left out of the later
// rounds; if the command is interrupted, the rounds already complete are
// kept.
//
// The runs are arranged for ratios that hold on a noisy machine. There are
// count rounds, and in each round every benchmark runs once, in a process
// of its own: no benchmark inherits another's heap, whose size paces the
// GC, or its goroutines. The rounds alternate between forward and reverse
// order, so a drift of the machine over a run weighs on both sides of a
// ratio alike, and each ratio is taken round by round (see printRatios).
func runThroughputCmd(args []string) error {
	fs := flag.NewFlagSet("throughput", flag.ContinueOnError)
	count := fs.Int("count", 10, "rounds: each benchmark runs once a round")
	benchtime := fs.String("benchtime", "500ms", "go test -benchtime for each run")
	results := fs.String("results", "results", "results folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *count < 1 {
		return fmt.Errorf("ROUNDS %d: must be a whole number of rounds, at least 1", *count)
	}
	if !validBenchtime(*benchtime) {
		return fmt.Errorf("-benchtime %q: want a duration such as 500ms or a number of iterations such as 100x", *benchtime)
	}
	if err := checkWritable(*results); err != nil {
		return err
	}
	release, err := lockResults(*results, "throughput")
	if err != nil {
		return err
	}
	defer release()
	ctx, stop := signalContext()
	defer stop()
	out := filepath.Join(*results, "throughput.txt")
	w, err := resultset.CreatePending(out)
	if err != nil {
		return err
	}
	defer w.Discard() // a no-op once committed
	tmp, err := os.MkdirTemp("", "reconnbench-throughput-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bench.test")
	build := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, "./bench")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go test -c ./bench: %w", err)
	}
	leaves, err := benchLeaves(ctx, bin, "^(BenchmarkTransport|BenchmarkReplay)$")
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "reconnbench: %d benchmarks (BenchmarkTransport, BenchmarkReplay), each run for %s once a round in a process of its own, %d rounds -> %s\n",
		len(leaves), *benchtime, *count, out)
	// Whatever stops the rounds, those complete are kept, with their ratios.
	var buf bytes.Buffer
	emit := writeRounds(benchfmt.NewWriter(io.MultiWriter(w, &buf)), nil)
	rounds, failed, err := runRounds(ctx, bin, leaves, *count, *benchtime, emit, os.Stderr)
	if buf.Len() == 0 {
		if err == nil && len(failed) == 0 {
			err = errors.New("no results")
		}
		return errors.Join(append(failed, err)...)
	}
	if err := w.Commit(); err != nil {
		return err
	}
	if perr := printRatios(os.Stdout, &buf, out); perr != nil {
		return perr
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("interrupted: %s holds the %d complete rounds of %d", out, rounds, *count)
	case err != nil:
		return fmt.Errorf("%s holds the %d complete rounds of %d, then: %w", out, rounds, *count, err)
	case len(failed) > 0:
		return fmt.Errorf("%s holds %d rounds without the benchmarks that failed: %w", out, rounds, errors.Join(failed...))
	}
	return nil
}

// writeRounds returns a runRounds emit function that writes each result
// to w, first passing it to edit if edit is not nil.
func writeRounds(w *benchfmt.Writer, edit func(*benchfmt.Result)) func([]*resultset.Result) error {
	return func(round []*resultset.Result) error {
		for _, r := range round {
			rec := r.Record()
			if edit != nil {
				edit(rec)
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	}
}

// validBenchtime reports whether s is a -test.benchtime a run can take: a
// positive duration, or a positive number of iterations followed by "x".
func validBenchtime(s string) bool {
	if n, ok := strings.CutSuffix(s, "x"); ok {
		i, err := strconv.Atoi(n)
		return err == nil && i > 0
	}
	d, err := time.ParseDuration(s)
	return err == nil && d > 0
}

// runRounds runs count rounds of the benchmarks leaves with test binary
// bin: in each round every benchmark runs once, in a process of its own,
// forward in odd rounds and in reverse in even ones. It hands each round's
// results to emit once the round is complete, so that what is kept is
// whole rounds whatever happens, and writes a line for each result to
// progress. A benchmark that fails is left out of the later rounds and the
// others go on; its failure is returned in failed. runRounds stops early
// only when ctx ends or emit fails, with that error. It returns how many
// rounds it completed.
func runRounds(ctx context.Context, bin string, leaves []string, count int, benchtime string,
	emit func([]*resultset.Result) error, progress io.Writer) (rounds int, failed []error, err error) {
	dropped := map[string]bool{}
	for round := 0; round < count; round++ {
		var results []*resultset.Result
		for i := range leaves {
			leaf := leaves[i]
			if round%2 == 1 {
				leaf = leaves[len(leaves)-1-i]
			}
			if dropped[leaf] {
				continue
			}
			res, err := runLeaf(ctx, bin, leaf, benchtime)
			if ctx.Err() != nil {
				return round, failed, ctx.Err()
			}
			if err == nil && len(res) != 1 {
				err = fmt.Errorf("%d results in one run, want 1", len(res))
			}
			if err != nil {
				dropped[leaf] = true
				failed = append(failed, fmt.Errorf("%s, round %d: %w", leaf, round+1, err))
				fmt.Fprintf(progress, "round %d/%d  %s FAILED, left out from now on: %v\n", round+1, count, leaf, err)
				continue
			}
			results = append(results, res[0])
			fmt.Fprintf(progress, "round %d/%d  %s\n", round+1, count, formatResult(res[0]))
		}
		if len(results) == 0 {
			return round, failed, nil // every benchmark failed
		}
		if err := emit(results); err != nil {
			return round, failed, err
		}
	}
	return count, failed, nil
}

// benchLeaves lists the benchmarks, sub-benchmarks down to the leaves,
// that pattern selects in test binary bin, by running each once.
func benchLeaves(ctx context.Context, bin, pattern string) ([]string, error) {
	res, err := runBenchProcess(ctx, bin, pattern, "1x")
	if err != nil {
		return nil, err
	}
	var leaves []string
	seen := map[string]bool{}
	for _, r := range res {
		name := r.Name.String()
		if !seen[name] {
			seen[name] = true
			leaves = append(leaves, name)
		}
	}
	if len(leaves) == 0 {
		return nil, fmt.Errorf("%s: no benchmark matches %s", bin, pattern)
	}
	return leaves, nil
}

// runLeaf runs the one benchmark called name, as benchfmt names it
// (without "Benchmark").
func runLeaf(ctx context.Context, bin, name, benchtime string) ([]*resultset.Result, error) {
	n, err := resultset.ParseName(name)
	if err != nil {
		return nil, err
	}
	return runBenchProcess(ctx, bin, n.BenchPattern(), benchtime)
}

// runBenchProcess runs the benchmarks pattern selects in test binary bin, in a
// process of their own, and returns their results.
func runBenchProcess(ctx context.Context, bin, pattern, benchtime string) ([]*resultset.Result, error) {
	cmd := exec.CommandContext(ctx, bin, "-test.run=^$", "-test.bench="+pattern, "-test.benchmem",
		"-test.count=1", "-test.benchtime="+benchtime, "-test.timeout=0")
	cmd.WaitDelay = waitDelay
	var stdout bytes.Buffer
	var stderr childOutput
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		stderr.Write(stdout.Bytes())
		return nil, &cellError{err: fmt.Errorf("%s -test.bench=%s: %w", filepath.Base(bin), pattern, err), out: &stderr}
	}
	return resultset.Read(&stdout, filepath.Base(bin)+" output")
}

// formatResult is r as one line of progress.
func formatResult(r *resultset.Result) string {
	var b strings.Builder
	b.WriteString(r.Name.String())
	for _, v := range r.Values {
		fmt.Fprintf(&b, "  %.4g %s", v.Value, v.Unit)
	}
	return b.String()
}

// ratio is one of the throughput ratios, with a target or for information.
type ratio struct {
	what     string
	num, den [2]string // benchmark name, unit
	target   float64   // the ratio must be at least this; 0 for none
}

var transportRatios = []ratio{
	{"netsim raw bytes / bufconn raw bytes", [2]string{"Transport/net=netsim/load=raw", "MB/s"}, [2]string{"Transport/net=bufconn/load=raw", "MB/s"}, 1.00},
	{"netsim gRPC stream / bufconn gRPC stream", [2]string{"Transport/net=netsim/load=stream", "msgs/s"}, [2]string{"Transport/net=bufconn/load=stream", "msgs/s"}, 0.95},
	{"netsim gRPC log streams / bufconn gRPC log streams", [2]string{"Transport/net=netsim/load=log", "msgs/s"}, [2]string{"Transport/net=bufconn/load=log", "msgs/s"}, 0},
	{"netsim gRPC stream / TCP gRPC stream", [2]string{"Transport/net=netsim/load=stream", "msgs/s"}, [2]string{"Transport/net=tcp/load=stream", "msgs/s"}, 0},
}

// printRatios prints the throughput ratios: the transports' against each
// other, and for each strategy the replay's stream throughput against the
// raw gRPC log streams' (the target) and against one endless stream's,
// all over netsim.
//
// When both sides have the same number of runs, the runs are taken as
// rounds, the n-th of each made in the same round, and the ratio printed
// is the median of the rounds' ratios, with their range: a machine that
// slows down for a while slows both sides of a round. Otherwise it is the
// ratio of the medians.
func printRatios(w io.Writer, r io.Reader, file string) error {
	results, err := resultset.Read(r, file)
	if err != nil {
		return err
	}
	runs := map[string][]record{}
	for _, r := range results {
		runs[r.Name.String()] = append(runs[r.Name.String()], recordOf(r))
	}
	rs := append([]ratio(nil), transportRatios...)
	// The replay on a stream; results of older runs have one per strategy.
	var names []string
	for _, r := range results {
		name := r.Name.String()
		if r.Name.Base == resultset.Replay && r.Name.Get("mode") == "stream" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		what := "replay"
		if n, _ := resultset.ParseName(name); n.Get("strategy") != "" {
			what += " (" + n.Get("strategy") + ")"
		}
		rs = append(rs,
			ratio{what + " / raw gRPC log streams", [2]string{name, resultset.UnitMsgsPerS}, [2]string{"Transport/net=netsim/load=log", resultset.UnitMsgsPerS}, 0.90},
			ratio{what + " / raw gRPC stream", [2]string{name, resultset.UnitMsgsPerS}, [2]string{"Transport/net=netsim/load=stream", resultset.UnitMsgsPerS}, 0})
	}
	fmt.Fprintf(w, "\nthroughput ratios (%s; replays and raw streams over netsim):\n", file)
	for _, q := range rs {
		v, spread, err := roundRatio(values(runs[q.num[0]], q.num[1]), values(runs[q.den[0]], q.den[1]))
		if err != nil {
			fmt.Fprintf(w, "  %-60s  %v\n", q.what, err)
			continue
		}
		verdict := ""
		if q.target > 0 {
			verdict = fmt.Sprintf("target >= %.2f: %s", q.target,
				judgeTarget(v, q.target, values(runs[q.num[0]], q.num[1]), values(runs[q.den[0]], q.den[1])))
		}
		fmt.Fprintf(w, "  %-60s  %5.2f  %-26s  %s\n", q.what, v, spread, verdict)
	}
	return nil
}

// judgeTarget says whether ratio v of num to den meets target: met when it
// reaches it; when it falls short, whether num is below target times den
// beyond the noise, by the test benchstat applies (x/perf's benchmath:
// Mann-Whitney U, alpha 0.05), so that a shortfall the runs cannot tell
// from a tie is told apart from one they show.
func judgeTarget(v, target float64, num, den []float64) string {
	if v >= target {
		return "met"
	}
	scaled := make([]float64, len(den))
	for i, d := range den {
		scaled[i] = d * target
	}
	c := resultset.Compare(num, scaled)
	if c.Differ {
		return fmt.Sprintf("NOT met (below it beyond the noise: p=%.3f)", c.P)
	}
	why := ""
	if c.Warning != "" {
		why = "; " + c.Warning // too few runs to show any difference
	}
	return fmt.Sprintf("NOT met, but within the noise of a tie (p=%.2f%s)", c.P, why)
}

// roundRatio returns the median of num[i]/den[i] and their range when
// both have as many runs, else the ratio of their medians; and how it was
// taken.
func roundRatio(num, den []float64) (float64, string, error) {
	if len(num) == 0 || len(den) == 0 {
		return 0, "", errors.New("missing results")
	}
	if len(num) != len(den) {
		md := resultset.Summarize(den).Median
		if md == 0 {
			return 0, "", errors.New("missing results")
		}
		return resultset.Summarize(num).Median / md, fmt.Sprintf("(medians, %d/%d runs)", len(num), len(den)), nil
	}
	rs := make([]float64, len(num))
	for i := range num {
		if den[i] == 0 {
			return 0, "", errors.New("missing results")
		}
		rs[i] = num[i] / den[i]
	}
	sum := resultset.Summarize(rs)
	if len(rs) == 1 {
		return sum.Median, "(1 round)", nil
	}
	return sum.Median, fmt.Sprintf("(%.2f to %.2f, %d rounds)", sum.Min, sum.Max, len(rs)), nil
}
