package bench

import (
	"fmt"
	"runtime"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/resultset"
)

// Env is the configuration of a run, written as file configuration lines
// ahead of its results.
type Env struct {
	GRPC  string // module version actually linked
	Go    string // toolchain
	Clock Clock
}

// Result summarises cycles of one scenario as a benchmark result whose
// Iters is the number of cycles. Latencies are averaged over the cycles
// where the event happened; when it never did, the latency is left out and
// the fraction unit (missed/op, undetected/op) says so: a miss is never a
// zero.
func Result(env Env, sc Scenario, cycles []Cycle) *benchfmt.Result {
	sc = sc.withDefaults()
	r := &benchfmt.Result{Name: benchfmt.Name(sc.Name()), Iters: len(cycles)}
	for _, kv := range [][2]string{
		{"goos", runtime.GOOS},
		{"goarch", runtime.GOARCH},
		{"grpc", env.GRPC},
		{"go", env.Go},
		{"clock", string(env.Clock)},
		{"net", string(sc.Net)},
		{"link", sc.Link.Name},
		{"downtime", sc.Downtime.String()},
		{"deadline", sc.Deadline.String()},
		{"log", fmt.Sprintf("%dx%dB", sc.Entries, sc.EntrySize)},
	} {
		r.Config = append(r.Config, benchfmt.Config{Key: kv[0], Value: []byte(kv[1]), File: true})
	}

	var detect, recover, restart time.Duration
	var detected, recovered, dials, lost, dups, replays int
	for _, c := range cycles {
		if c.Detected {
			detected++
			detect += c.Detect
		}
		if c.Recovered {
			recovered++
			recover += c.Recover
		}
		restart += c.Restart
		dials += c.Dials
		lost += c.Lost
		dups += c.Duplicated
		replays += c.Replays
	}
	n := float64(len(cycles))
	add := func(v float64, unit string) { r.Values = append(r.Values, benchfmt.Value{Value: v, Unit: unit}) }
	if recovered > 0 {
		add(float64(recover.Nanoseconds())/float64(recovered), resultset.UnitRecover)
	}
	add(float64(len(cycles)-recovered)/n, resultset.UnitMissed)
	if detected > 0 {
		add(float64(detect.Nanoseconds())/float64(detected), resultset.UnitDetect)
	}
	add(float64(len(cycles)-detected)/n, resultset.UnitUndetected)
	add(float64(restart.Nanoseconds())/n, resultset.UnitRestart)
	add(float64(dials)/n, resultset.UnitDials)
	add(float64(lost)/n, resultset.UnitLost)
	add(float64(dups)/n, resultset.UnitDuplicated)
	add(float64(replays)/n, resultset.UnitReplays)
	return r
}
