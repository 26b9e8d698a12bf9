package netsim

import (
	"context"
	"time"
)

// Graceful is an orderly restart, as after SIGTERM: the instance's Drain
// hook runs, GracefulStop sends GOAWAY on every connection and closes the
// listener, so dials are refused while the server is down; in-flight RPCs may
// finish. Whatever still runs when the downtime ends is stopped, and a fresh
// instance starts.
type Graceful struct{}

func init() { register(Graceful{}) }

// Name returns "graceful".
func (Graceful) Name() string { return "graceful" }

// Inject implements Fault.
func (Graceful) Inject(ctx context.Context, s *Server, downtime time.Duration) error {
	kill := s.drain()
	err := sleep(ctx, downtime)
	kill()
	if err != nil {
		return err
	}
	return s.up()
}
