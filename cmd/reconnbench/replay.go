package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/replay"
	"github.com/reconnbench/reconnbench/resultset"
)

// replayBenchtime keeps BenchmarkReplay short inside make bench: a replay
// of the default log takes about a millisecond on a stream and 30 ms as
// unary calls, so each run still covers several replays.
const replayBenchtime = "200ms"

// runThroughput runs BenchmarkReplay, each replay mode, with the release's
// test binary, on the real clock and alone on the machine, and
// writes its results to out with the configuration the matrix's results
// carry, so they merge into the release's file. It runs as make
// bench-throughput does (runRounds): c.rounds rounds, each
// benchmark once a round in a process of its own, so that none inherits
// another's heap. A benchmark that fails (a replay that hangs past its
// timeout) is reported and left out; the others are kept.
func (c *runConfig) runThroughput(ctx context.Context, bin, v string, out string) error {
	var leaves []string
	for _, m := range bench.ReplayModes {
		leaves = append(leaves, "Replay/mode="+m)
	}
	w, err := resultset.Create(out)
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
	n := 0
	emit := writeRounds(w.Benchfmt(), func(res *benchfmt.Result) {
		setFileConfig(res, config)
		n++
	})
	_, failed, err := runRounds(ctx, bin, leaves, c.rounds, replayBenchtime, emit, io.Discard)
	if err != nil || n == 0 {
		w.Discard()
		if err == nil {
			err = fmt.Errorf("BenchmarkReplay wrote no results: %w", errors.Join(failed...))
		}
		return err
	}
	if err := w.Commit(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %w", errSomeFailed, errors.Join(failed...))
	}
	return nil
}

// errSomeFailed marks throughput results that are kept although some
// benchmarks failed.
var errSomeFailed = errors.New("kept the rest; failed")

// withThroughput is how runRelease adds the throughput results, kept in
// the release's partial folder part, to the cells' files, or a note of why
// there are none. With c.resume, results already there are kept.
func (c *runConfig) withThroughput(ctx context.Context, part, bin, v string, files []string) []string {
	if c.noThroughput || ctx.Err() != nil {
		return files
	}
	out := filepath.Join(part, fmt.Sprintf("throughput.n%d.txt", c.rounds))
	if c.resume && exists(out) {
		return append(files, out)
	}
	t := time.Now()
	err := c.runThroughput(ctx, bin, v, out)
	c.spent.add(&c.spent.throughput, t)
	if err != nil {
		c.logf("reconnbench: gRPC-Go %s: throughput FAILED: %v\n", v, err)
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
