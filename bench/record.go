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
// zero. Cycles after a fault that keeps the server (rotate) need no
// replay: they are never missed and have no recovery or restart time.
// Cycles that do not apply to the linked release give a result of
// inapplicable/op 1 and nothing else.
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
		{"deadline", sc.Deadline.String()},
		{"log", fmt.Sprintf("%dx%dB", sc.Entries, sc.EntrySize)},
	} {
		r.Config = append(r.Config, benchfmt.Config{Key: kv[0], Value: []byte(kv[1]), File: true})
	}

	add := func(v float64, unit string) { r.Values = append(r.Values, benchfmt.Value{Value: v, Unit: unit}) }
	for _, c := range cycles {
		if c.Inapplicable {
			add(1, resultset.UnitInapplicable)
			return r
		}
	}

	var detect, recover, restart time.Duration
	var timedDetect, undetected, recovered, missed, restarted, dials, lost, dups, replays, spurious int
	for _, c := range cycles {
		switch {
		case !c.Detected:
			undetected++
		case c.Connected:
			timedDetect++
			detect += c.Detect
		}
		if c.Restarted {
			restarted++
			restart += c.Restart
			if c.Recovered {
				recovered++
				recover += c.Recover
			}
		}
		if c.Missed() {
			missed++
		}
		dials += c.Dials
		lost += c.Lost
		dups += c.Duplicated
		replays += c.Replays
		spurious += c.Spurious
	}
	n := float64(len(cycles))
	if recovered > 0 {
		add(float64(recover.Nanoseconds())/float64(recovered), resultset.UnitRecover)
	}
	add(float64(missed)/n, resultset.UnitMissed)
	if timedDetect > 0 {
		add(float64(detect.Nanoseconds())/float64(timedDetect), resultset.UnitDetect)
	}
	add(float64(undetected)/n, resultset.UnitUndetected)
	if restarted > 0 {
		add(float64(restart.Nanoseconds())/float64(restarted), resultset.UnitRestart)
	}
	add(float64(dials)/n, resultset.UnitDials)
	add(float64(lost)/n, resultset.UnitLost)
	add(float64(dups)/n, resultset.UnitDuplicated)
	add(float64(replays)/n, resultset.UnitReplays)
	add(float64(spurious)/n, resultset.UnitSpurious)
	return r
}
