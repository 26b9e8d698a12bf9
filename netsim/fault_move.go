package netsim

import (
	"context"
	"time"
)

// Move is a server that comes back at another address, as a restarted
// pod comes back with a new IP: at the fault's instant its new address is
// announced (Server.SetMove: a DNS record changes, say), then the
// instance dies as in Crash, every connection reset and dials to the old
// address refused from then on, and after the downtime a fresh instance
// serves at the new address. A client that dials only the old address
// never reaches it again; one that learns the announcement (gRPC-Go's
// dns resolver, when it resolves again) does.
//
// The announcement comes before the death, not after: a client whose
// connection is reset resolves again at once if it may, and must not find
// the old address then.
type Move struct{}

func init() { register(Move{}) }

// Name returns "move".
func (Move) Name() string { return "move" }

// Inject implements Fault. It fails, leaving the server as it was, if the
// server has nowhere to move (Server.SetMove).
func (Move) Inject(ctx context.Context, s *Server, downtime time.Duration) error {
	if err := s.move(); err != nil {
		return err
	}
	s.crash()
	if err := sleep(ctx, downtime); err != nil {
		return err
	}
	return s.up()
}
