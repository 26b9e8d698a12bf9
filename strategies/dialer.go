package strategies

import (
	"context"
	"net"

	"google.golang.org/grpc"
)

// Dialer is the pattern of grpc/grpc-go#7688: a custom dialer that takes a
// successful dial as the sign of a reconnect and starts the replay. It sees
// nothing else: if gRPC does not dial again after a restart, it never
// replays. It does not claim exactly-once replay (Info.ExactlyOnce): any
// successful dial replays, and nothing stops gRPC from dialling a server
// that is still up again.
type Dialer struct{}

func init() {
	Register(Info{
		Name:    "dialer",
		Summary: "WithContextDialer: every successful dial starts a replay",
		New:     func() Strategy { return Dialer{} },
	})
}

// DialOptions implements Strategy.
func (Dialer) DialOptions(h Hooks) []grpc.DialOption {
	return []grpc.DialOption{grpc.WithContextDialer(replayOnDial(h))}
}

// replayOnDial wraps the harness's dialer so that a successful dial starts a
// replay, as `go doReplay()` in a custom dialer does.
func replayOnDial(h Hooks) func(context.Context, string) (net.Conn, error) {
	return func(ctx context.Context, addr string) (net.Conn, error) {
		conn, err := h.Dial(ctx, addr)
		if err == nil {
			h.Replay()
		}
		return conn, err
	}
}
