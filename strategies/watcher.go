package strategies

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
)

// StateWatcher follows the channel's connectivity state with GetState and
// WaitForStateChange. Every return to READY after a loss, and the first
// READY, starts a replay; a channel that sits in IDLE is told to connect
// where the gRPC-Go release can (see exitIdle).
type StateWatcher struct{}

func init() {
	Register(Info{
		Name:        "watcher",
		Summary:     "WaitForStateChange loop: replay on every READY after a loss, Connect() when IDLE",
		New:         func() Strategy { return StateWatcher{} },
		ExactlyOnce: true,
	})
}

// DialOptions implements Strategy; the watcher needs none.
func (StateWatcher) DialOptions(Hooks) []grpc.DialOption { return nil }

// Watch implements Watcher.
func (StateWatcher) Watch(ctx context.Context, cc *grpc.ClientConn, h Hooks) {
	var r readiness
	state := cc.GetState()
	for {
		lost, regained := r.next(state)
		if lost {
			h.Lost()
		}
		if regained {
			h.Replay()
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

// readiness follows a channel's READY periods through the states a
// watcher reads: the first, then one after each WaitForStateChange that
// reported a change.
//
// WaitForStateChange(ctx, READY) returns once the channel has left READY,
// but the connection can be lost and a new one made READY before GetState
// reads the state: the watcher then reads READY twice in a row. Taken as
// "still ready", that misses a whole loss and the replay the new server
// needs. So a READY read after a wait that began in READY is a new READY period.
type readiness struct{ ready bool }

// next takes the state read and reports whether a READY period ended
// (lost) and whether one began (regained). Each read but the first
// follows a change, so a READY period has ended whenever the state read
// before was READY, and READY read again is both.
func (r *readiness) next(state connectivity.State) (lost, regained bool) {
	lost, regained = r.ready, state == connectivity.Ready
	r.ready = regained
	return lost, regained
}
