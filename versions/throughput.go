package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/replay"
)

// replayBenchtime keeps BenchmarkReplay short inside make bench: a replay
// of the default log takes about a millisecond on a stream and 30 ms as
// unary calls, so each run still covers several replays.
const replayBenchtime = "200ms"

// runThroughput runs BenchmarkReplay for the given strategies with the
// release's test binary, on the real clock and alone on the machine, and
// writes its results to out with the configuration the matrix's results
// carry, so they merge into the release's file.
func (c *runConfig) runThroughput(ctx context.Context, bin, v string, strategies []string, out string) error {
	quoted := make([]string, len(strategies))
	for i, s := range strategies {
		quoted[i] = regexp.QuoteMeta(s)
	}
	args := []string{
		"-test.run=^$", "-test.benchmem", "-test.timeout=0",
		"-test.bench=^BenchmarkReplay$/^strategy=(" + strings.Join(quoted, "|") + ")$/",
		"-test.count=" + strconv.Itoa(c.matrix.Count),
		"-test.benchtime=" + replayBenchtime,
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = waitDelay
	var stdout bytes.Buffer
	var stderr childOutput
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A benchmark that fails (a replay that hangs past its timeout) is
	// reported; those that completed are kept.
	runErr := cmd.Run()
	var failed []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "--- FAIL: BenchmarkReplay/") {
			failed = append(failed, strings.TrimPrefix(line, "--- FAIL: "))
		}
	}
	if runErr != nil && len(failed) == 0 {
		stderr.Write(stdout.Bytes())
		return &cellError{err: fmt.Errorf("BenchmarkReplay: %w", runErr), out: &stderr}
	}
	w, err := bench.CreateResultFile(out)
	if err != nil {
		return err
	}
	config := []benchfmt.Config{
		{Key: "grpc", Value: []byte(v), File: true},
		{Key: "go", Value: []byte(c.goVersion), File: true},
		{Key: "clock", Value: []byte(bench.Real), File: true},
		{Key: "link", Value: []byte("local"), File: true},
		{Key: "log", Value: []byte(fmt.Sprintf("%dx%dB", replay.DefaultEntries, replay.DefaultEntrySize)), File: true},
	}
	r := benchfmt.NewReader(&stdout, filepath.Base(bin)+" output")
	n := 0
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue // the test binary's PASS and ok lines
		}
		setFileConfig(res, config)
		if err := w.Write(res); err != nil {
			w.Discard()
			return err
		}
		n++
	}
	if err := r.Err(); err != nil {
		w.Discard()
		return err
	}
	if n == 0 {
		w.Discard()
		return fmt.Errorf("BenchmarkReplay wrote no results")
	}
	if err := w.Commit(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %s", errSomeFailed, strings.Join(failed, ", "))
	}
	return nil
}

// errSomeFailed marks throughput results that are kept although some
// benchmarks failed.
var errSomeFailed = errors.New("kept the rest; failed")

// withThroughput is how runRelease adds the throughput results, kept in
// the release's partial folder part, to the cells' files, or a note of why
// there are none. With c.resume, results already there are kept.
func (c *runConfig) withThroughput(ctx context.Context, part, bin, v string, strategies []string, files []string) []string {
	if c.noThroughput || ctx.Err() != nil {
		return files
	}
	out := filepath.Join(part, fmt.Sprintf("throughput.n%d.txt", c.matrix.Count))
	if c.resume && exists(out) {
		return append(files, out)
	}
	err := c.runThroughput(ctx, bin, v, strategies, out)
	if err != nil {
		c.logf("versions: gRPC-Go %s: throughput FAILED: %v\n", v, err)
	}
	if err != nil && !errors.Is(err, errSomeFailed) {
		return files
	}
	return append(files, out)
}

// setFileConfig sets file-level configuration keys of res, which SetConfig
// would add as per-benchmark keys.
func setFileConfig(res *benchfmt.Result, config []benchfmt.Config) {
	for _, kv := range config {
		if i, ok := res.ConfigIndex(kv.Key); ok {
			res.Config[i] = kv
		} else {
			res.Config = append(res.Config, kv)
		}
	}
}
