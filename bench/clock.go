package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Clock is the time base a cycle runs on.
type Clock string

// The clocks.
const (
	// Virtual runs each cycle inside a testing/synctest bubble: keepalive,
	// backoff, downtime and link latency run on a fake clock that jumps
	// whenever every goroutine in the bubble is blocked, so timings are
	// exact and a minute of waiting costs nothing.
	Virtual Clock = "virtual"
	// Real runs on the wall clock, outside any bubble: the cross-check.
	Real Clock = "real"
)

// ParseClock returns the clock called name.
func ParseClock(name string) (Clock, error) {
	switch Clock(name) {
	case Virtual, Real:
		return Clock(name), nil
	}
	return "", fmt.Errorf("unknown clock %q (valid: %s)", name, strings.Join([]string{string(Virtual), string(Real)}, ", "))
}

// RunOn runs one cycle of sc on clock. A virtual cycle needs t, because
// synctest.Test does; its goroutines must all end within the cycle.
func RunOn(t *testing.T, clock Clock, sc Scenario) (Cycle, error) {
	if err := checkNetClock(sc.Net, clock); err != nil {
		return Cycle{}, err
	}
	if clock == Real {
		return runReal(sc)
	}
	return runVirtual(t, sc)
}

// runReal runs one cycle of sc on the wall clock, giving up on it once it
// has run longer than any cycle can.
func runReal(sc Scenario) (Cycle, error) {
	type result struct {
		c   Cycle
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := Run(context.Background(), sc)
		done <- result{c, err}
	}()
	limit := cycleLimit(sc)
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case r := <-done:
		return r.c, r.err
	case <-t.C:
		return Cycle{}, &HangError{Scenario: sc, Clock: Real, Limit: limit, Stacks: cycleStacks()}
	}
}

// CheckClock reports whether this binary can run cycles on clock.
func CheckClock(clock Clock) error {
	if _, err := ParseClock(string(clock)); err != nil {
		return err
	}
	if clock == Virtual && !VirtualClockAvailable {
		return fmt.Errorf("the virtual clock needs testing/synctest (Go 1.25 or newer) and this is %s: use the real clock", GoVersion())
	}
	return nil
}

// checkNetClock reports whether a cycle on net can run on clock: a real
// network runs on real time only.
func checkNetClock(net Net, clock Clock) error {
	if net == TCP && clock != Real {
		return fmt.Errorf("clock %s: net tcp runs real processes on real time; use clock real", clock)
	}
	return nil
}
