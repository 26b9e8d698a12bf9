//go:build !go1.25

package bench

import "testing"

// VirtualClockAvailable reports whether this toolchain has testing/synctest.
const VirtualClockAvailable = false

func runVirtual(*testing.T, Scenario) (Cycle, error) {
	return Cycle{}, CheckClock(Virtual)
}
