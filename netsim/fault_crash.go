package netsim

import (
	"context"
	"time"
)

// Crash is a process that dies, as after SIGKILL: every connection is reset
// at once with no GOAWAY, and dials are refused until a fresh instance
// starts after the downtime.
type Crash struct{}

func init() { register(Crash{}) }

// Name returns "crash".
func (Crash) Name() string { return "crash" }

// Inject implements Fault.
func (Crash) Inject(ctx context.Context, s *Server, downtime time.Duration) error {
	s.crash()
	if err := sleep(ctx, downtime); err != nil {
		return err
	}
	return s.up()
}
