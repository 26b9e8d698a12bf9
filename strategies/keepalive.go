package strategies

import "google.golang.org/grpc"

// Keepalive adds client keepalive (KeepaliveParams) to Dialer: pings detect
// a dead connection, including one that is silently gone, and the custom
// dialer still triggers the replay.
type Keepalive struct{}

func init() {
	Register(Info{
		Name:    "keepalive",
		Summary: "dialer plus client keepalive (10s ping, 5s timeout, without streams)",
		New:     func() Strategy { return Keepalive{} },
	})
}

// DialOptions implements Strategy.
func (Keepalive) DialOptions(h Hooks) []grpc.DialOption {
	return append(Dialer{}.DialOptions(h), grpc.WithKeepaliveParams(KeepaliveParams))
}
