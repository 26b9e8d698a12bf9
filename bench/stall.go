package bench

import (
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

// ExitStalled is the exit status of a matrix run that stopped because a
// virtual cycle stalled.
const ExitStalled = 3

// maxExcerpt bounds the stack excerpt of a stalled bubble.
const maxExcerpt = 40

// runningInBubbles returns the stacks of the goroutines inside synctest
// bubbles that are running or runnable, trimmed to their function names.
func runningInBubbles() string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		header, _, _ := strings.Cut(g, "\n")
		if !strings.Contains(header, "synctest bubble") || !(strings.Contains(header, "[running") || strings.Contains(header, "[runnable")) {
			continue
		}
		out = append(out, header)
		for _, line := range strings.Split(g, "\n")[1:] {
			if !strings.HasPrefix(line, "\t") { // function lines, not file:line
				out = append(out, "    "+line)
			}
		}
	}
	if len(out) > maxExcerpt {
		out = append(out[:maxExcerpt], "    ...")
	}
	return strings.Join(out, "\n")
}
