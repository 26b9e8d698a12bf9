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
	replayed := false // whether the current READY period has had its replay
	state := cc.GetState()
	for {
		switch {
		case state == connectivity.Ready && !replayed:
			replayed = true
			h.Replay()
		case state != connectivity.Ready && replayed:
			replayed = false
			h.Lost()
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
