package bench

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// StallError is a virtual cycle whose fake clock stopped advancing: some
// goroutine in its bubble never blocks (it spins, or waits on something
// outside the bubble), so the timers everything else waits for never fire.
// The bubble cannot be reclaimed; the process should stop running cycles.
type StallError struct {
	Scenario Scenario
	Wall     time.Duration // wall-clock time without the clock advancing
	Stacks   string        // the bubble's goroutines that were not blocked
}

func (e *StallError) Error() string {
	return fmt.Sprintf("the virtual clock stalled for %v: a goroutine in the bubble never blocks (a busy loop, or a wait on something outside the bubble); run this cell on the real clock. Goroutines still running:\n%s",
		e.Wall.Round(time.Second), e.Stacks)
}

func newStallError(sc Scenario, wall time.Duration) *StallError {
	return &StallError{Scenario: sc, Wall: wall, Stacks: runningInBubbles()}
}

// HangError is a cycle that ran past the longest a cycle can take, on
// whichever clock it ran: something it waits for never returns (a
// strategy's DialOptions that blocks, say), although the clock advances.
// Its goroutines cannot be reclaimed; the process should stop running
// cycles.
type HangError struct {
	Scenario Scenario
	Clock    Clock
	Limit    time.Duration // on Clock
	Stacks   string        // the cycle's goroutines
}

func (e *HangError) Error() string {
	return fmt.Sprintf("the cycle did not end within %v of %s time, the longest it can take: something it waits for never returns. Its goroutines:\n%s",
		e.Limit, e.Clock, e.Stacks)
}

// Stuck reports whether err leaves goroutines behind that will never end
// (a stalled bubble, a hung cycle): the process cannot run more cycles
// reliably, and cannot end its tests cleanly.
func Stuck(err error) bool {
	var stall *StallError
	var hang *HangError
	return errors.As(err, &stall) || errors.As(err, &hang)
}

// ExitCutShort is the exit status of a matrix run whose one cell was cut
// short (ErrCutShort) with its complete runs committed: the runner runs
// the rest in a fresh process.
const ExitCutShort = 4

// cycleLimit is the bound on a cycle's duration that the watchdogs
// apply; a variable so that tests can shorten it.
var cycleLimit = maxDuration

// maxDuration bounds how long a cycle of the resolved scenario sc can take
// on its clock: every wait in Run is bounded, a flap takes at most a few
// downtimes, a rolling restart one downtime a backend, and a rotation
// comes at most twice the quiet time and a bit after the first replay (a
// client that let its connection go idle and opened another). The bound
// is generous; reaching it means a hang.
func maxDuration(sc Scenario) time.Duration {
	sc = sc.withDefaults()
	downtimes := time.Duration(max(4, sc.Backends+1))
	return 2*(sc.Setup+3*sc.quiet()+2*sc.Settle+downtimes*sc.Downtime+sc.Deadline+teardownGrace) + time.Minute
}

// MaxDuration bounds how long a cycle of sc can take on its clock; a
// cycle that runs longer is a hang.
func MaxDuration(sc Scenario) time.Duration { return maxDuration(sc) }

// StallLimit is how long a virtual cycle may go without its clock advancing
// before it is declared stalled.
var StallLimit = 10 * time.Second

// ExitStalled is the exit status of a matrix run that stopped because a
// virtual cycle stalled.
const ExitStalled = 3

// Bounds of a stack excerpt: goroutines, and lines of each.
const (
	maxExcerpt        = 40
	maxGoroutineLines = 16
)

// runningInBubbles returns the stacks of the goroutines inside synctest
// bubbles that are running or runnable, trimmed to their function names.
func runningInBubbles() string {
	return stacks(func(header, _ string) bool {
		return strings.Contains(header, "synctest bubble") && (strings.Contains(header, "[running") || strings.Contains(header, "[runnable"))
	}, false)
}

// cycleStacks returns the stacks of a cycle's goroutines, those in
// synctest bubbles and those a cycle started, with file and line, so that
// the excerpt points at the strategy's code. The harness's own waiting
// goroutines are left out.
func cycleStacks() string {
	return stacks(func(header, body string) bool {
		first, _, _ := strings.Cut(body, "\n")
		for _, harness := range []string{"internal/synctest.", "testing/synctest.", "sync.runtime_SemacquireWaitGroup"} {
			if strings.HasPrefix(first, harness) {
				return false
			}
		}
		for _, harness := range []string{"bench.heartbeat(", "bench.cycleStacks(", "bench.(*cycle).teardown"} {
			if strings.Contains(body, harness) {
				return false
			}
		}
		return strings.Contains(header, "synctest bubble") || strings.Contains(body, "reconnbench/bench.(*cycle)") ||
			strings.Contains(body, "reconnbench/bench.runReal")
	}, true)
}

// stacks returns an excerpt of the stacks of every goroutine that keep
// selects, by its header line and body.
func stacks(keep func(header, body string) bool, withFiles bool) string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		header, body, _ := strings.Cut(g, "\n")
		if !keep(header, body) {
			continue
		}
		out = append(out, header)
		n := 0
		for _, line := range strings.Split(body, "\n") {
			if !withFiles && strings.HasPrefix(line, "\t") { // function lines, not file:line
				continue
			}
			if n++; n > maxGoroutineLines {
				out = append(out, "    ...")
				break
			}
			out = append(out, "    "+line)
		}
	}
	if len(out) > maxExcerpt {
		out = append(out[:maxExcerpt], "    ...")
	}
	return strings.Join(out, "\n")
}
