package netsim

import (
	"context"
	"errors"
	"time"
)

// Rolling is a rolling restart of a service's servers: each in turn is
// restarted as by Graceful (drained, GOAWAY, down for the downtime,
// back as a fresh instance at the same address), the next one going
// down the instant the one before serves again, as a deployment that
// keeps all but one backend up restarts them. At any moment at most one
// server is down; the restart of n servers takes n downtimes.
//
// It needs every server of the service: see InjectAll. Inject on one
// server is that server's turn alone, a Graceful restart.
type Rolling struct{}

func init() { register(Rolling{}) }

// Name returns "rolling".
func (Rolling) Name() string { return "rolling" }

// Inject implements Fault: the one server's turn.
func (Rolling) Inject(ctx context.Context, s *Server, downtime time.Duration) error {
	return Graceful{}.Inject(ctx, s, downtime)
}

// InjectAll restarts servers one after another, in order, through each
// one's Inject (so each strikes, Server.OnStrike, as its turn begins),
// and returns when the last one serves again, or early with ctx's error.
func (r Rolling) InjectAll(ctx context.Context, servers []*Server, downtime time.Duration) error {
	if len(servers) == 0 {
		return errors.New("netsim: rolling: no servers to restart")
	}
	for _, s := range servers {
		if err := s.Inject(ctx, r, downtime); err != nil {
			return err
		}
	}
	return nil
}

// A GroupFault is a fault that strikes every server of a service
// together, such as Rolling; its Inject is one server's part.
type GroupFault interface {
	Fault
	InjectAll(ctx context.Context, servers []*Server, downtime time.Duration) error
}
