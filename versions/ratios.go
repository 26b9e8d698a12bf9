package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/montanaflynn/stats"

	"github.com/reconnbench/reconnbench/bench"
)

// runThroughputCmd runs the throughput benchmarks against the gRPC-Go
// release in go.mod, in one process so that the transports' ratios are
// meaningful on a noisy machine, keeps the results and prints the ratios
// the project's targets are stated in.
func runThroughputCmd(args []string) error {
	fs := flag.NewFlagSet("throughput", flag.ContinueOnError)
	count := fs.Int("count", 6, "runs of each benchmark")
	benchtime := fs.String("benchtime", "500ms", "go test -benchtime for each run")
	results := fs.String("results", "results", "results folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *count < 1 {
		return fmt.Errorf("COUNT %d: must be a whole number of runs, at least 1", *count)
	}
	ctx, stop := signalContext()
	defer stop()
	out := filepath.Join(*results, "throughput.txt")
	w, err := bench.CreatePending(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "versions: BenchmarkTransport and BenchmarkReplay, %d runs of %s each -> %s\n", *count, *benchtime, out)
	var buf bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "test", "-run=^$", "-bench=^(BenchmarkTransport|BenchmarkReplay)$", "-benchmem",
		fmt.Sprintf("-count=%d", *count), "-benchtime="+*benchtime, "./bench")
	cmd.Stdout = io.MultiWriter(w, &buf, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		w.Discard()
		return fmt.Errorf("go test -bench: %w", err)
	}
	if err := w.Commit(); err != nil {
		return err
	}
	return printRatios(os.Stdout, &buf, out)
}

// medians reads benchmark results and returns the median of each
// benchmark's values of each unit, keyed by name without the GOMAXPROCS
// suffix, then unit.
func medians(r io.Reader, file string) (map[string]map[string]float64, error) {
	runs, err := scanRuns(r, file)
	if err != nil {
		return nil, err
	}
	samples := map[string]map[string][]float64{}
	for name, rs := range runs {
		samples[name] = map[string][]float64{}
		for _, r := range rs {
			for unit, v := range r {
				samples[name][unit] = append(samples[name][unit], v)
			}
		}
	}
	out := map[string]map[string]float64{}
	for name, units := range samples {
		out[name] = map[string]float64{}
		for unit, xs := range units {
			m, err := stats.Median(xs)
			if err != nil {
				return nil, fmt.Errorf("%s: %s %s: %w", file, name, unit, err)
			}
			out[name][unit] = m
		}
	}
	return out, nil
}

// ratio is one of the throughput targets.
type ratio struct {
	what     string
	num, den [2]string // benchmark name, unit
	target   float64   // the ratio must be at least this
}

var targets = []ratio{
	{"netsim raw bytes / bufconn raw bytes", [2]string{"Transport/net=netsim/load=raw", "MB/s"}, [2]string{"Transport/net=bufconn/load=raw", "MB/s"}, 1.00},
	{"netsim gRPC stream / bufconn gRPC stream", [2]string{"Transport/net=netsim/load=stream", "msgs/s"}, [2]string{"Transport/net=bufconn/load=stream", "msgs/s"}, 0.95},
	{"netsim gRPC stream / TCP gRPC stream", [2]string{"Transport/net=netsim/load=stream", "msgs/s"}, [2]string{"Transport/net=tcp/load=stream", "msgs/s"}, 0},
}

// printRatios prints the ratios of median throughputs the targets are
// stated in, and for each strategy the replay's stream throughput against
// the raw gRPC stream's over the same transport.
func printRatios(w io.Writer, r io.Reader, file string) error {
	m, err := medians(r, file)
	if err != nil {
		return err
	}
	rs := append([]ratio(nil), targets...)
	var names []string
	for name := range m {
		if strings.HasPrefix(name, "Replay/") && strings.HasSuffix(name, "/mode=stream") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		s := strings.TrimSuffix(strings.TrimPrefix(name, "Replay/"), "/mode=stream")
		rs = append(rs, ratio{"replay (" + s + ") / raw gRPC stream, both netsim", [2]string{name, "msgs/s"}, [2]string{"Transport/net=netsim/load=stream", "msgs/s"}, 0.90})
	}
	fmt.Fprintf(w, "\nthroughput ratios (medians of %s):\n", file)
	for _, q := range rs {
		num, ok1 := m[q.num[0]][q.num[1]]
		den, ok2 := m[q.den[0]][q.den[1]]
		if !ok1 || !ok2 || den == 0 {
			fmt.Fprintf(w, "  %-60s  missing results\n", q.what)
			continue
		}
		verdict := ""
		if q.target > 0 {
			verdict = fmt.Sprintf("target >= %.2f: ", q.target)
			if num/den >= q.target {
				verdict += "met"
			} else {
				verdict += "NOT met"
			}
		}
		fmt.Fprintf(w, "  %-60s  %5.2f  %s\n", q.what, num/den, verdict)
	}
	return nil
}
