package netsim

import (
	"context"
	"time"
)

// Flap is a server that cannot stay up: it crashes (as Crash), stays down
// for the downtime and comes back for only Up before crashing again, Times
// crashes in all. The last restart stays up. A client that reconnects
// during a brief up period reaches an instance that dies under it.
type Flap struct {
	Times int
	Up    time.Duration
}

func init() { register(Flap{Times: 3, Up: 300 * time.Millisecond}) }

// Name returns "flap".
func (Flap) Name() string { return "flap" }

// Inject implements Fault.
func (f Flap) Inject(ctx context.Context, s *Server, downtime time.Duration) error {
	for i := 0; i < f.Times; i++ {
		if i > 0 {
			if err := sleep(ctx, f.Up); err != nil {
				s.crash() // leave the server down, as Inject promises
				return err
			}
		}
		if err := (Crash{}).Inject(ctx, s, downtime); err != nil {
			return err
		}
	}
	return nil
}
