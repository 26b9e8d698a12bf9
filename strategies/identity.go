package strategies

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
)

// IdentityCheck replays when the server instance it reaches is not the one
// it last replayed to, and only then. The transport is only the trigger to
// look: the channel's state changes (as StateWatcher follows them, calling
// Connect() on an IDLE channel where the release can) and client
// keepalive (as Combined has it, so that a server that vanishes silently is
// noticed). At the first READY and every return to READY it asks the
// server its identity (Hooks.Identity) with a wait-for-ready RPC bounded by
// CheckTimeout, and replays if that identity differs from the one it last
// replayed to. A connection that the server rotated, or that the client
// let go idle and opened again, reaches the same instance and replays
// nothing.
//
// It compares the identity it asked for with the one it last replayed to,
// not with where the replay landed: a replay that reached another instance
// than the one asked (a restart between the check and the replay) would
// be followed by a second one to that instance. On netsim's local link
// the check and the replay happen at the same instant, so this cannot
// happen there.
type IdentityCheck struct {
	// CheckTimeout bounds each identity check; a check that fails waits
	// for the next state change.
	CheckTimeout time.Duration
}

func init() {
	Register(Info{
		Name:        "identity",
		Summary:     "replay only when the server's identity changed; state changes, Connect() when IDLE and keepalive trigger the check",
		New:         func() Strategy { return IdentityCheck{CheckTimeout: 10 * time.Second} },
		ExactlyOnce: true,
		NoSpurious:  true,
	})
}

// DialOptions implements Strategy: client keepalive, so that a silent
// server is noticed and the channel's state changes.
func (IdentityCheck) DialOptions(Hooks) []grpc.DialOption {
	return []grpc.DialOption{grpc.WithKeepaliveParams(KeepaliveParams)}
}

// Watch implements Watcher.
func (s IdentityCheck) Watch(ctx context.Context, cc *grpc.ClientConn, h Hooks) {
	var replayedTo string // the identity of the instance last replayed to
	var r readiness
	state := cc.GetState()
	for {
		lost, regained := r.next(state)
		if lost {
			h.Lost()
		}
		if regained {
			s.check(ctx, h, &replayedTo)
		}
		if state == connectivity.Idle {
			exitIdle(cc)
		}
		if !cc.WaitForStateChange(ctx, state) {
			return
		}
		state = cc.GetState()
	}
}

// check asks the server's identity and replays if it is not the one last
// replayed to.
func (s IdentityCheck) check(ctx context.Context, h Hooks, replayedTo *string) {
	if h.Identity == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.CheckTimeout)
	defer cancel()
	id, err := h.Identity(ctx)
	if err != nil || id == *replayedTo {
		return
	}
	*replayedTo = id
	h.Replay()
}
