package resultset

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// fuzzSeedConfig is the configuration block of a real results file
// (results/grpc-v1.85.0.txt).
const fuzzSeedConfig = "goos: linux\ngoarch: amd64\ngrpc: v1.85.0\ngo: go1.26.8\nclock: virtual\nlink: local\ndowntime: 1s\ndeadline: 1m0s\nlog: 1000x256B\n\n"

// fuzzSeedLines are results lines as make bench writes them, taken from
// the committed baseline: a recovery, a detection, a miss (in the spelling
// of results files from before the fault key was renamed), throughput, and
// a benchmark the report does not draw.
var fuzzSeedLines = []string{
	"BenchmarkReconnect/strategy=combined/fault=blackhole/traffic=idle 1 1.3e+10 recover-ns/op 0 missed/op 1.3e+10 detect-ns/op 0 undetected/op 1 dials/op 0 lost-msgs/op 0 dup-msgs/op 1 replays/op\n",
	"BenchmarkReconnect/strategy=combined/fault=crash/traffic=idle 1 1e+09 recover-ns/op 0 missed/op 0 detect-ns/op 0 undetected/op 2 dials/op 0 lost-msgs/op 0 dup-msgs/op 1 replays/op\n",
	"BenchmarkReconnect/strategy=dialer/scenario=crash/traffic=idle 1 1 missed/op 0 detect-ns/op 0 undetected/op 0 dials/op 1000 lost-msgs/op 0 dup-msgs/op 0 replays/op\n",
	"BenchmarkReplay/strategy=combined/mode=stream-2 96 2.847696e+06 ns/op 89.9 MB/s 351514 msgs/s 1.027805e+06 B/op 12254 allocs/op\n",
	"BenchmarkTransport/net=tcp/load=raw-2 100 1000 ns/op\n",
}

// fuzzSeedTrace is the start of a real trace file.
const fuzzSeedTrace = "# reconnbench trace: cell, ns since the fault, event, detail\n" +
	"BenchmarkReconnect/strategy=combined/scenario=crash/traffic=idle\t-2000000000\tserver-up\t1\n" +
	"BenchmarkReconnect/strategy=combined/scenario=crash/traffic=idle\t0\tfault\tcrash\n" +
	"BenchmarkReconnect/strategy=combined/scenario=crash/traffic=idle\t1000000000\tdial\taccepted\n"

// FuzzLoad feeds Load a results file and the trace file beside it (none
// when trace is empty) and checks what the plots and the report rely on:
//
//   - Load returns, without panicking, whatever the bytes;
//   - an error is one line that starts with the path of the file at fault,
//     followed by the line's number wherever there is one, and that number
//     is a line of the file;
//   - what Load accepts is what is in the file: one sample per value of
//     each BenchmarkReconnect and BenchmarkReplay line, each counting for
//     the line's cycles (iterations), and nothing else;
//   - a file Load accepts, read with benchfmt.Reader and written again with
//     benchfmt.Writer, loads to the same dataset: the reader and the writer
//     agree on the format.
//
// The seeds run in every go test; `go test -fuzz FuzzLoad ./resultset` searches
// further.
func FuzzLoad(f *testing.F) {
	all := fuzzSeedConfig + strings.Join(fuzzSeedLines, "")
	f.Add(all, fuzzSeedTrace)
	f.Add(all, "")
	for _, line := range fuzzSeedLines {
		f.Add(fuzzSeedConfig+line, "")
	}
	f.Add(fuzzSeedConfig+fuzzSeedLines[0]+"clock: real\n"+fuzzSeedLines[2], fuzzSeedTrace) // a rerun on the real clock, in the same file
	f.Add("", "")
	f.Add(fuzzSeedConfig, "")
	f.Add(fuzzSeedConfig+"BenchmarkReconnect/strategy=a/scenario=crash/traffic=idle 1 x missed/op\n", "")
	f.Add(fuzzSeedConfig+fuzzSeedLines[1], "BenchmarkReconnect/strategy=combined/scenario=crash/traffic=idle\tsoon\tfault\tcrash\n")
	f.Fuzz(func(t *testing.T, results, trace string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "grpc-v1.85.0.txt")
		writeFuzzFiles(t, path, results, trace)
		d, err := Load([]string{path})
		if err != nil {
			checkLoadError(t, err, path, results, trace)
			return
		}
		checkLoaded(t, d, results)

		// Round trip through benchfmt's writer.
		again := filepath.Join(dir, "again", "grpc-v1.85.0.txt")
		if err := os.Mkdir(filepath.Dir(again), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFuzzFiles(t, again, rewrite(t, results), trace)
		d2, err := Load([]string{again})
		if err != nil {
			t.Fatalf("the file Load accepted, rewritten by benchfmt.Writer, fails: %v", err)
		}
		d.Files, d2.Files = nil, nil
		if !reflect.DeepEqual(d, d2) {
			t.Errorf("rewritten by benchfmt.Writer, the file loads differently:\nfirst:  %s\nsecond: %s", dump(d), dump(d2))
		}
	})
}

func writeFuzzFiles(t *testing.T, path, results, trace string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(results), 0o644); err != nil {
		t.Fatal(err)
	}
	if trace != "" {
		if err := os.WriteFile(TracePath(path), []byte(trace), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lineRef matches the "path:line:" an error starts with when it is about
// one line.
var lineRef = regexp.MustCompile(`^:(\d+):`)

// checkLoadError checks that err is one line naming the file at fault and,
// if it gives a line number, a line the file has.
func checkLoadError(t *testing.T, err error, path, results, trace string) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is more than one line: %q", msg)
	}
	var content string
	rest, ok := strings.CutPrefix(msg, path)
	content = results
	if tp := TracePath(path); strings.HasPrefix(msg, tp) {
		rest, ok, content = msg[len(tp):], true, trace // the longer name: the trace file
	}
	if !ok {
		t.Fatalf("error %q does not start with the file's path", msg)
	}
	if m := lineRef.FindStringSubmatch(rest); m != nil {
		n, _ := strconv.Atoi(m[1])
		if lines := strings.Count(content, "\n") + 1; n < 1 || n > lines {
			t.Errorf("error %q names line %d; the file has %d", msg, n, lines)
		}
	}
}

// checkLoaded checks that d holds exactly the values of the file's
// reconnect and replay lines, each counted for the line's cycles.
func checkLoaded(t *testing.T, d *Set, results string) {
	t.Helper()
	type key struct {
		unit  string
		iters int
	}
	want := map[key]int{} // values by unit and cycles, from benchfmt directly
	r := benchfmt.NewReader(strings.NewReader(results), "fuzz")
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		if base, _ := res.Name.Parts(); string(base) != "Reconnect" && string(base) != "Replay" {
			continue
		}
		for _, v := range res.Values {
			unit, _ := asWritten(v)
			want[key{unit, res.Iters}]++
		}
	}
	got := map[key]int{}
	count := func(s *Samples) {
		for unit, vals := range s.vals {
			if len(s.iters[unit]) != len(vals) {
				t.Fatalf("unit %s: %d values, %d cycle counts", unit, len(vals), len(s.iters[unit]))
			}
			for _, it := range s.iters[unit] {
				got[key{unit, it}]++
			}
			if !IsFraction(unit) {
				continue
			}
			if k, n := s.Count(unit); k < 0 || k > n {
				t.Errorf("unit %s: Count = %d of %d: a count outside 0..n", unit, k, n)
			}
		}
	}
	for _, run := range d.Runs {
		for c, s := range run.Cells {
			if c.Strategy == "" || c.Fault == "" || c.Traffic == "" {
				t.Errorf("cell %+v has an empty part", c)
			}
			count(s)
		}
	}
	for _, tp := range d.Throughput {
		for _, s := range tp.Bench {
			count(s)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load kept values %v, the file has %v", got, want)
	}
}

// rewrite reads a results file with benchfmt.Reader and writes what it
// read with benchfmt.Writer.
func rewrite(t *testing.T, results string) string {
	t.Helper()
	var out bytes.Buffer
	w := benchfmt.NewWriter(&out)
	r := benchfmt.NewReader(strings.NewReader(results), "fuzz")
	for r.Scan() {
		if err := w.Write(r.Result()); err != nil {
			t.Fatalf("benchfmt.Writer: %v", err)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// dump prints a dataset with its samples.
func dump(d *Set) string {
	var b strings.Builder
	fmt.Fprintf(&b, "main %+v strategies %v faults %v traffic %v\n", d.Main, d.Strategies, d.Faults, d.Traffic)
	for _, r := range d.Runs {
		fmt.Fprintf(&b, "  run %s:", r.Label)
		for c, s := range r.Cells {
			fmt.Fprintf(&b, " %v=%v", c, *s)
		}
		fmt.Fprintf(&b, " traces %d\n", len(r.Traces))
	}
	for _, tp := range d.Throughput {
		fmt.Fprintf(&b, "  throughput %s: %d\n", tp.Label, len(tp.Bench))
	}
	return b.String()
}
