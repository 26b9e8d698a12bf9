package bench

import (
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/reconnbench/reconnbench/strategies"
)

// blocking is a strategy whose DialOptions blocks until release closes.
type blocking struct{ release chan struct{} }

func (b blocking) DialOptions(strategies.Hooks) []grpc.DialOption {
	<-b.release
	return nil
}

// TestRealCycleHang checks the wall-clock watchdog of real cycles: a
// cycle that does not end within the bound is a HangError whose stacks
// point at the strategy, and the caller gets it at the bound.
func TestRealCycleHang(t *testing.T) {
	defer func(limit func(Scenario) time.Duration) { cycleLimit = limit }(cycleLimit)
	cycleLimit = func(Scenario) time.Duration { return 200 * time.Millisecond }
	release := make(chan struct{})
	sc := Scenario{
		Plugin: &strategies.Info{Name: "blocking", New: func() strategies.Strategy { return blocking{release} }},
		Fault:  "crash", Traffic: Idle, Setup: 10 * time.Millisecond,
	}
	_, err := RunOn(t, Real, sc)
	var hang *HangError
	if !errors.As(err, &hang) {
		t.Fatalf("RunOn = %v, want a HangError", err)
	}
	if hang.Clock != Real || !Stuck(err) {
		t.Errorf("hang on the %s clock, stuck = %v", hang.Clock, Stuck(err))
	}
	if !strings.Contains(hang.Stacks, "bench.blocking.DialOptions") || !strings.Contains(hang.Stacks, "clock_test.go:") {
		t.Errorf("the stacks do not point at the strategy:\n%s", hang.Stacks)
	}
	// Let the abandoned cycle end (its setup times out at once), so that
	// goleak finds nothing left.
	close(release)
}
