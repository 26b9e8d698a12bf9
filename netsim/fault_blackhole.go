package netsim

import (
	"context"
	"time"
)

// Blackhole is a host that vanishes from the network: its connections stay
// open but every byte in either direction is dropped from the fault on, so
// the client hears nothing, not even a reset; only keepalives and deadlines
// notice. Dials while it is down hang until their context ends. After the
// downtime a fresh instance accepts new dials; the old connections stay
// dead.
type Blackhole struct{}

func init() { register(Blackhole{}) }

// Name returns "blackhole".
func (Blackhole) Name() string { return "blackhole" }

// Inject implements Fault.
func (Blackhole) Inject(ctx context.Context, s *Server, downtime time.Duration) error {
	s.vanish()
	if err := sleep(ctx, downtime); err != nil {
		return err
	}
	return s.up()
}
