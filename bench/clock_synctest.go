//go:build go1.25

package bench

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// VirtualClockAvailable reports whether this toolchain has testing/synctest.
const VirtualClockAvailable = true

// The stall watchdog: a heartbeat inside the bubble beats every
// heartbeatPeriod of virtual time, which passes in an instant of wall time
// while the bubble's goroutines block. No beat for StallLimit of wall time
// means the fake clock cannot advance because some goroutine never blocks.
// Each beat wakes the bubble: at one a second, a cycle with 45 minutes of
// quiet wakes 2,700 times, which is a fifth of what the cycle costs;
// at ten a second it cost three times the cycle.
const heartbeatPeriod = time.Second

func runVirtual(t *testing.T, sc Scenario) (Cycle, error) {
	var (
		c     Cycle
		err   error
		beats atomic.Int64
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			// synctest.Test panics, here, when goroutines stay blocked
			// in the bubble after the cycle: a strategy that ignores
			// the end of its context. The cycle's teardown has said
			// which; the process goes on, with those goroutines leaked.
			if r := recover(); r != nil {
				err = errors.Join(err, fmt.Errorf("%v", r))
			}
		}()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			go heartbeat(ctx, &beats)
			c, err = Run(ctx, sc)
		})
	}()
	// Outside the bubble, time is the wall clock.
	check := time.NewTicker(StallLimit / 10)
	defer check.Stop()
	last, lastChange := beats.Load(), time.Now()
	limit := cycleLimit(sc)
	for {
		select {
		case <-done:
			return c, err
		case now := <-check.C:
			b := beats.Load()
			switch {
			case time.Duration(b)*heartbeatPeriod > limit:
				// The clock runs, but the cycle never ends.
				return Cycle{}, &HangError{Scenario: sc, Clock: Virtual, Limit: limit, Stacks: cycleStacks()}
			case b != last:
				last, lastChange = b, now
			case now.Sub(lastChange) >= StallLimit:
				return Cycle{}, newStallError(sc, now.Sub(lastChange))
			}
		}
	}
}

// heartbeat counts beats of virtual time until ctx ends.
func heartbeat(ctx context.Context, beats *atomic.Int64) {
	t := time.NewTicker(heartbeatPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			beats.Add(1)
		}
	}
}
