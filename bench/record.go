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
// inapplicable/op 1 and nothing else. A service cell (resolver dns, or
// several backends) adds the share of the traffic's unary RPCs that
// failed from the fault to the end of the cycle, where there were any,
// and, with round_robin, the time until every backend was ready again
// and the fraction of cycles where one never was; a cell the replay does
// not measure (round_robin, rolling) leaves out lost, duplicated and
// replayed messages.
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

	var detect, recover, restart, allReady time.Duration
	var timedDetect, undetected, recovered, missed, restarted, dials, lost, dups, replays, spurious int
	var rpcs, failed, ready, unready int
	service, noReplay, roundRobin := false, false, false
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
		service, noReplay, roundRobin = service || c.Service, noReplay || c.NoReplay, roundRobin || c.RoundRobin
		rpcs += c.RPCs
		failed += c.FailedRPCs
		if c.AllReady {
			ready++
			allReady += c.AllReadyIn
		} else if c.RoundRobin {
			unready++
		}
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
	if !noReplay {
		add(float64(lost)/n, resultset.UnitLost)
		add(float64(dups)/n, resultset.UnitDuplicated)
		add(float64(replays)/n, resultset.UnitReplays)
	}
	add(float64(spurious)/n, resultset.UnitSpurious)
	if !service {
		return r
	}
	if rpcs > 0 {
		add(float64(failed)/float64(rpcs), resultset.UnitFailedRPCs)
	}
	if roundRobin {
		if ready > 0 {
			add(float64(allReady.Nanoseconds())/float64(ready), resultset.UnitAllReady)
		}
		add(float64(unready)/n, resultset.UnitUnready)
	}
	return r
}
