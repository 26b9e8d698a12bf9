package strategies

import (
	"context"

	"google.golang.org/grpc"
)

// Combined is the "double detection" advice: client keepalive to detect a
// dead connection quickly, and the state watcher to reconnect and replay.
// The dialer does not trigger replays here, so each reconnect replays once.
type Combined struct{ StateWatcher }

func init() {
	Register(Info{
		Name:        "combined",
		Summary:     "keepalive for detection plus the state watcher for reconnect and replay",
		New:         func() Strategy { return Combined{} },
		ExactlyOnce: true,
	})
}

// DialOptions implements Strategy.
func (Combined) DialOptions(Hooks) []grpc.DialOption {
	return []grpc.DialOption{grpc.WithKeepaliveParams(KeepaliveParams)}
}

// Watch implements Watcher.
func (c Combined) Watch(ctx context.Context, cc *grpc.ClientConn, h Hooks) {
	c.StateWatcher.Watch(ctx, cc, h)
}
