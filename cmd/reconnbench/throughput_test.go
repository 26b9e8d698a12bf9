package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/resultset"
)

func TestPrintRatios(t *testing.T) {
	// Three rounds of each benchmark, in the order the throughput command
	// writes them; the second round ran on a slower machine.
	in := `goos: linux
BenchmarkTransport/net=netsim/load=raw-2 100 1000 ns/op 30000 MB/s
BenchmarkTransport/net=netsim/load=raw-2 100 1000 ns/op 10000 MB/s
BenchmarkTransport/net=netsim/load=raw-2 100 1000 ns/op 20000 MB/s
BenchmarkTransport/net=bufconn/load=raw-2 100 1000 ns/op 16000 MB/s
BenchmarkTransport/net=netsim/load=stream-2 100 1000 ns/op 950000 msgs/s
BenchmarkTransport/net=bufconn/load=stream-2 100 1000 ns/op 1000000 msgs/s
BenchmarkTransport/net=tcp/load=stream-2 100 1000 ns/op 500000 msgs/s
BenchmarkTransport/net=netsim/load=log-2 100 1000 ns/op 800000 msgs/s
BenchmarkReplay/mode=stream-2 100 1000 ns/op 760000 msgs/s
BenchmarkReplay/mode=unary-2 100 1000 ns/op 1 msgs/s
BenchmarkTransport/net=netsim/load=stream-2 100 1000 ns/op 400000 msgs/s
BenchmarkTransport/net=bufconn/load=stream-2 100 1000 ns/op 500000 msgs/s
BenchmarkTransport/net=tcp/load=stream-2 100 1000 ns/op 200000 msgs/s
BenchmarkTransport/net=netsim/load=log-2 100 1000 ns/op 300000 msgs/s
BenchmarkReplay/mode=stream-2 100 1000 ns/op 300000 msgs/s
BenchmarkTransport/net=netsim/load=stream-2 100 1000 ns/op 1000000 msgs/s
BenchmarkTransport/net=bufconn/load=stream-2 100 1000 ns/op 900000 msgs/s
BenchmarkTransport/net=tcp/load=stream-2 100 1000 ns/op 500000 msgs/s
BenchmarkTransport/net=netsim/load=log-2 100 1000 ns/op 800000 msgs/s
BenchmarkReplay/mode=stream-2 100 1000 ns/op 680000 msgs/s
`
	var out bytes.Buffer
	if err := printRatios(&out, strings.NewReader(in), "t.txt"); err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		if i := strings.Index(l, "  "); strings.HasPrefix(l, "  ") && i >= 0 {
			what, rest, _ := strings.Cut(strings.TrimSpace(l), "  ")
			lines[what] = strings.Join(strings.Fields(rest), " ")
		}
	}
	for what, want := range map[string]string{
		// Unequal numbers of runs: the ratio of the medians, 20000/16000.
		"netsim raw bytes / bufconn raw bytes": "1.25 (medians, 3/1 runs) target >= 1.00: met",
		// Rounds 0.95, 0.80, 1.11: their median, not the medians' ratio
		// (950000/900000 = 1.06).
		"netsim gRPC stream / bufconn gRPC stream":           "0.95 (0.80 to 1.11, 3 rounds) target >= 0.95: met",
		"netsim gRPC stream / TCP gRPC stream":               "2.00 (1.90 to 2.00, 3 rounds)",
		"netsim gRPC log streams / bufconn gRPC log streams": "missing results",
		// Rounds 0.95, 1.00, 0.85.
		"replay / raw gRPC log streams": "0.95 (0.85 to 1.00, 3 rounds) target >= 0.90: met",
		// Rounds 0.80, 0.75, 0.68: information, no target.
		"replay / raw gRPC stream": "0.75 (0.68 to 0.80, 3 rounds)",
	} {
		if got, ok := lines[what]; !ok || got != want {
			t.Errorf("%s: got %q, want %q\n%s", what, got, want, out.String())
		}
	}
}

func TestPrintRatiosMalformed(t *testing.T) {
	err := printRatios(new(bytes.Buffer), strings.NewReader("BenchmarkX 1 2 ns/op 3\n"), "t.txt")
	if err == nil || !strings.Contains(err.Error(), "t.txt:1") {
		t.Fatalf("got %v, want an error naming t.txt:1", err)
	}
}

// TestRunRounds runs two rounds of two benchmarks with the bench test
// binary: each runs once a round, in a process of its own, forward and then
// in reverse, and the results read back as rounds.
func TestRunRounds(t *testing.T) {
	t.Parallel()
	bin := benchBinary(t)
	ctx := context.Background()
	leaves, err := benchLeaves(ctx, bin, "^BenchmarkTransport$/^net=netsim$/^load=(raw|stream)$")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Transport/net=netsim/load=raw", "Transport/net=netsim/load=stream"}
	if strings.Join(leaves, " ") != strings.Join(want, " ") {
		t.Fatalf("leaves %q, want %q", leaves, want)
	}
	var out, progress bytes.Buffer
	if n, failed, err := runRounds(ctx, bin, leaves, 2, "1x", writeTo(&out), &progress); n != 2 || failed != nil || err != nil {
		t.Fatalf("runRounds: %d rounds, failed %v, %v; want 2, none, nil", n, failed, err)
	}
	var order []string
	results, err := resultset.Read(bytes.NewReader(out.Bytes()), "out")
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range results {
		name := res.Name.String()
		order = append(order, name)
		if _, ok := res.Value(resultset.UnitMsgsPerS); strings.HasSuffix(name, "stream") && !ok {
			t.Errorf("%s has no msgs/s", name)
		}
	}
	wantOrder := []string{want[0], want[1], want[1], want[0]}
	if strings.Join(order, " ") != strings.Join(wantOrder, " ") {
		t.Errorf("results in the order %q, want %q", order, wantOrder)
	}
	if n := strings.Count(progress.String(), "\n"); n != 4 {
		t.Errorf("%d progress lines, want 4:\n%s", n, progress.String())
	}
	runs := readRuns(t, out.Bytes())
	if len(runs[want[0]]) != 2 || len(runs[want[1]]) != 2 {
		t.Errorf("runs read back: %v, want 2 of each", runs)
	}

	// Interrupted in the middle of the second round, it keeps the first
	// round whole and nothing of the second.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out.Reset()
	n, _, err := runRounds(ctx, bin, leaves, 2, "1x", writeTo(&out), cancelOn{"round 2/2", cancel})
	if n != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted runRounds: %d rounds, %v; want 1, context.Canceled", n, err)
	}
	runs = readRuns(t, out.Bytes())
	if len(runs[want[0]]) != 1 || len(runs[want[1]]) != 1 {
		t.Errorf("runs kept after the interrupt: %v, want the first round's, 1 of each", runs)
	}

	// A benchmark that fails is left out from then on; the others go on.
	out.Reset()
	progress.Reset()
	broken := "Transport/net=nosuch/load=raw"
	n, failed, err := runRounds(context.Background(), bin, []string{want[0], broken, want[1]}, 2, "1x", writeTo(&out), &progress)
	if n != 2 || err != nil || len(failed) != 1 || !strings.Contains(failed[0].Error(), broken+", round 1: 0 results") {
		t.Errorf("runRounds with a broken benchmark: %d rounds, failed %v, %v; want 2, %s in round 1, nil", n, failed, err, broken)
	}
	runs = readRuns(t, out.Bytes())
	if len(runs[want[0]]) != 2 || len(runs[want[1]]) != 2 {
		t.Errorf("runs kept around a broken benchmark: %v, want 2 of each of the others", runs)
	}
	if c := strings.Count(progress.String(), broken); c != 1 {
		t.Errorf("the broken benchmark ran %d times, want once:\n%s", c, progress.String())
	}
}

// writeTo returns an emit function for runRounds that writes to w.
func writeTo(w io.Writer) func([]*resultset.Result) error {
	return writeRounds(benchfmt.NewWriter(w), nil)
}

// readRuns reads results into their runs by benchmark name.
func readRuns(t *testing.T, b []byte) map[string][]record {
	t.Helper()
	results, err := resultset.Read(bytes.NewReader(b), "out")
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string][]record{}
	for _, r := range results {
		runs[r.Name.String()] = append(runs[r.Name.String()], recordOf(r))
	}
	return runs
}

// cancelOn calls cancel when a line containing s is written to it.
type cancelOn struct {
	s      string
	cancel func()
}

func (c cancelOn) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(c.s)) {
		c.cancel()
	}
	return len(p), nil
}

func TestJudgeTarget(t *testing.T) {
	six := func(x float64) []float64 { return []float64{x, x * 1.01, x * 0.99, x * 1.02, x * 0.98, x} }
	for _, c := range []struct {
		name     string
		v        float64
		num, den []float64
		target   float64
		want     string
	}{
		{"reached", 1.00, six(100), six(100), 1.00, "met"},
		{"far below", 0.50, six(50), six(100), 1.00, "NOT met (below it beyond the noise: p=0.002)"},
		{"below a target under 1", 0.80, six(80), six(100), 0.90, "NOT met (below it beyond the noise: p=0.002)"},
		{"a tie", 0.99, []float64{99, 103, 95, 101, 97, 100}, []float64{100, 96, 104, 99, 101, 98}, 1.00, "NOT met, but within the noise of a tie (p="},
		{"too few runs to tell", 0.50, []float64{50, 50}, []float64{100, 100}, 1.00, "NOT met, but within the noise of a tie (p=0.33; need >= 4 samples"},
	} {
		if got := judgeTarget(c.v, c.target, c.num, c.den); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
