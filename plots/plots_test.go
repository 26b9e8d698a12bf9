package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeResults writes a results file for release v in dir: strategy "good"
// recovers in 1 s, "bad" misses from v1.41.0 on, for one fault and traffic.
func writeResults(t *testing.T, dir, v, clock string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "goos: linux\ngrpc: %s\ngo: go1.26.8\nclock: %s\nlink: local\n\n", v, clock)
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "BenchmarkReconnect/strategy=good/scenario=crash/traffic=idle 1 %d recover-ns/op 0 missed/op 2 dials/op\n", 1_000_000_000+i*100_000_000)
		if v >= "v1.41.0" {
			fmt.Fprintf(&b, "BenchmarkReconnect/strategy=bad/scenario=crash/traffic=idle 1 1 missed/op 0 dials/op\n")
		} else {
			fmt.Fprintf(&b, "BenchmarkReconnect/strategy=bad/scenario=crash/traffic=idle 1 2e+09 recover-ns/op 0 missed/op 3 dials/op\n")
		}
		fmt.Fprintf(&b, "BenchmarkReplay/strategy=good/mode=stream-2 100 1e+06 ns/op %d msgs/s\n", 400000+i)
	}
	name := filepath.Join(dir, "grpc-"+v+".txt")
	if clock != "virtual" {
		name = filepath.Join(dir, "grpc-"+v+"."+clock+".txt")
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writeResults(t, dir, "v1.41.0", "virtual")
	writeResults(t, dir, "v1.40.1", "virtual")
	files, err := resultsFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Runs) != 2 || d.Runs[0].Label != "v1.40.1" || d.Runs[1].Label != "v1.41.0" {
		t.Fatalf("runs %v, want v1.40.1 then v1.41.0", d.Runs)
	}
	c := d.Runs[1].Cells[Cell{"bad", "crash", "idle"}]
	if len(c["missed/op"]) != 6 || len(c["recover-sec/op"]) != 0 {
		t.Errorf("missed cell: %v, want 6 misses and no recovery time", c)
	}
	if got := d.Runs[0].Cells[Cell{"good", "crash", "idle"}]["recover-sec/op"]; len(got) != 6 || got[0] != 1 {
		t.Errorf("recovery times %v, want 6 values in seconds starting at 1", got)
	}
	if got := d.Runs[0].Replay["good/stream"]["msgs/s"]; len(got) != 6 {
		t.Errorf("replay throughput %v, want 6 values", got)
	}
	if strings.Join(d.Strategies, ",") != "bad,good" {
		t.Errorf("strategies %v", d.Strategies)
	}
}

func TestLoadKeepsClocksApart(t *testing.T) {
	dir := t.TempDir()
	writeResults(t, dir, "v1.40.1", "virtual")
	writeResults(t, dir, "v1.40.1", "real")
	files, _ := resultsFiles(dir)
	d, err := Load(files)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, r := range d.Runs {
		labels = append(labels, r.Label)
		if n := len(r.Cells[Cell{"good", "crash", "idle"}]["missed/op"]); n != 6 {
			t.Errorf("%s: %d results in a cell, want 6 (not the two clocks pooled)", r.Label, n)
		}
	}
	if strings.Join(labels, "|") != "v1.40.1 real|v1.40.1 virtual" {
		t.Errorf("labels %q, want one per clock", labels)
	}
}

func TestLoadBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"empty.txt", "", "empty.txt: no benchmark results"},
		{"malformed.txt", "grpc: v1.85.0\ngo: go1\nclock: virtual\nlink: local\nBenchmarkReconnect/strategy=a/scenario=b/traffic=c 1 x missed/op\n", "malformed.txt:5"},
		{"nogrpc.txt", "go: go1\nclock: virtual\nlink: local\nBenchmarkReconnect/strategy=a/scenario=b/traffic=c 1 1 missed/op\n", `nogrpc.txt:4: Reconnect/strategy=a/scenario=b/traffic=c: configuration grpc is ""`},
		{"noclock.txt", "grpc: v1.85.0\ngo: go1\nBenchmarkReconnect/strategy=a/scenario=b/traffic=c 1 1 missed/op\n", "noclock.txt:3"},
		{"noname.txt", "grpc: v1.85.0\ngo: go1\nclock: virtual\nlink: local\nBenchmarkReconnect/strategy=a 1 1 missed/op\n", "noname.txt:5"},
	} {
		_, err := Load([]string{write(tc.name, tc.content)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := Load([]string{filepath.Join(dir, "missing.txt")}); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := resultsFiles(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no results files") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{5, 1, 4, 2, 3, 6, 7})
	if s.Median != 4 || s.N != 7 {
		t.Errorf("median %v of %d, want 4 of 7", s.Median, s.N)
	}
	// With 7 values the distribution-free 95% interval of the median is
	// [min, max] (the binomial tail beyond the extremes is 2/128 < 5%).
	if s.Lo != 1 || s.Hi != 7 {
		t.Errorf("interval [%v, %v], want [1, 7]", s.Lo, s.Hi)
	}
	few := Summarize([]float64{1, 2, 3})
	if few.Lo != 2 || few.Hi != 2 {
		t.Errorf("3 values: interval [%v, %v], want it collapsed to the median 2", few.Lo, few.Hi)
	}
	if e := Summarize(nil); !math.IsNaN(e.Median) {
		t.Errorf("no values: median %v, want NaN", e.Median)
	}
	if f, n := Fraction([]float64{1, 0, 0, 1}); f != 0.5 || n != 4 {
		t.Errorf("Fraction = %v, %d", f, n)
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"v1.40.1", "v1.41.0", "v1.85.0"} {
		writeResults(t, dir, v, "virtual")
	}
	trace := "BenchmarkReconnect/strategy=good/scenario=crash/traffic=idle\t0\tfault\tcrash\n" +
		"BenchmarkReconnect/strategy=good/scenario=crash/traffic=idle\t1000000000\tdial\taccepted\n"
	os.WriteFile(filepath.Join(dir, "grpc-v1.85.0.trace"), []byte(trace), 0o644)
	if err := run([]string{"-results", dir}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"recovery-idle.png", "missed.png", "dials-idle.png", "cdf.png", "throughput.png", "timeline-crash-idle.png"} {
		if st, err := os.Stat(filepath.Join(dir, "figures", f)); err != nil || st.Size() == 0 {
			t.Errorf("figure %s: %v", f, err)
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"**bad** stops recovering at **v1.41.0** (unlike v1.40.1) in crash/idle",
		"| bad | 2.00 s | missed | missed |",
		"| good | 1/1 | 1/1 | 1/1 |",
		"![Recovery time, idle traffic](figures/recovery-idle.png)",
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestRunBadFlags(t *testing.T) {
	dir := t.TempDir()
	writeResults(t, dir, "v1.85.0", "virtual")
	for args, want := range map[string]string{
		"-traffic=busy":         `traffic mode "busy" is not in the results (have: [idle])`,
		"-release=v9.9.9":       `release "v9.9.9" is not in the results (have: v1.85.0)`,
		"-results=/nonexistent": "no results files",
	} {
		err := run([]string{"-results", dir, args})
		if strings.HasPrefix(args, "-results") {
			err = run([]string{args})
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error containing %q", args, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "REPORT.md")); !os.IsNotExist(err) {
		t.Errorf("a failed run wrote a report: %v", err)
	}
}
