package bench_test

import (
	"context"
	"fmt"
	"time"

	"github.com/reconnbench/reconnbench/bench"
)

// Run measures one restart cycle. Here it runs on the wall clock with short
// waits; inside a testing/synctest bubble (see RunOn) the same cycle runs
// on a virtual clock and takes a few milliseconds whatever its timers.
func ExampleRun() {
	c, err := bench.Run(context.Background(), bench.Scenario{
		Strategy: "healthwatch",
		Fault:    "crash",
		Traffic:  bench.Idle,
		Quiet:    100 * time.Millisecond,
		Settle:   100 * time.Millisecond,
		Downtime: 200 * time.Millisecond,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("recovered:", c.Recovered, "after the downtime:", c.Recover >= 200*time.Millisecond)
	fmt.Println("lost:", c.Lost, "duplicated:", c.Duplicated, "replays:", c.Replays)
	// Output:
	// recovered: true after the downtime: true
	// lost: 0 duplicated: 0 replays: 1
}
