//go:build go1.25

package bench

import (
	"testing"
	"testing/synctest"
)

// VirtualClockAvailable reports whether this toolchain has testing/synctest.
const VirtualClockAvailable = true

func runVirtual(t *testing.T, sc Scenario) (Cycle, error) {
	var (
		c   Cycle
		err error
	)
	synctest.Test(t, func(t *testing.T) {
		c, err = Run(t.Context(), sc)
	})
	return c, err
}
