package strategies

import (
	"testing"

	"google.golang.org/grpc/connectivity"
)

// TestReadiness feeds readiness the states a watcher reads, the first and
// then one after each reported change, and counts the READY periods it
// finds and the losses it reports.
func TestReadiness(t *testing.T) {
	const (
		idle  = connectivity.Idle
		conn  = connectivity.Connecting
		ready = connectivity.Ready
		fail  = connectivity.TransientFailure
	)
	for _, tc := range []struct {
		name          string
		reads         []connectivity.State
		periods, lost int
	}{
		{"ready at once", []connectivity.State{ready}, 1, 0},
		{"connects", []connectivity.State{idle, conn, ready}, 1, 0},
		{"never ready", []connectivity.State{conn, fail, conn, fail}, 0, 0},
		{"loss seen", []connectivity.State{ready, fail, conn, ready}, 2, 1},
		{"loss to idle", []connectivity.State{ready, idle, conn, ready}, 2, 1},
		// The loss and the new connection both fell between
		// WaitForStateChange and GetState.
		{"loss unseen", []connectivity.State{ready, ready}, 2, 1},
		{"two unseen", []connectivity.State{ready, ready, ready}, 3, 2},
		{"unseen, then lost", []connectivity.State{conn, ready, ready, idle}, 2, 2},
		{"shut down", []connectivity.State{ready, connectivity.Shutdown}, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r readiness
			periods, lost := 0, 0
			for _, s := range tc.reads {
				l, g := r.next(s)
				if l {
					lost++
				}
				if g {
					periods++
				}
			}
			if periods != tc.periods || lost != tc.lost {
				t.Errorf("reads %v: %d READY periods and %d losses, want %d and %d", tc.reads, periods, lost, tc.periods, tc.lost)
			}
		})
	}
}
