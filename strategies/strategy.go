// Package strategies holds the reconnect strategies under test: the ways
// gRPC-Go users notice that a server restarted and replay their state to
// it.
//
// A strategy meets the harness in Hooks: the harness supplies the network's
// dialer, the "replay now" action and a way to ask the server its
// identity, and receives "connection lost" signals. A strategy contributes dial options and, if it implements
// Watcher, a goroutine over the ClientConn. Each strategy is one file that
// registers itself; Lookup finds one by name.
package strategies

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// Hooks connect a strategy to the harness.
type Hooks struct {
	// Dial reaches the server. The harness installs it with
	// grpc.WithContextDialer before the strategy's own options, so a
	// strategy that brings its own dialer replaces it and must call Dial.
	Dial func(ctx context.Context, addr string) (net.Conn, error)
	// Replay starts a replay of the client's log to the server, in the
	// background, and returns at once.
	Replay func()
	// Lost records that the strategy believes the connection is lost. It
	// feeds the trace; detection itself is measured by the network.
	Lost func()
	// Identity asks the server, with one wait-for-ready RPC bounded by
	// ctx, for the identity of the instance the channel reaches: an epoch
	// fixed when the instance starts, so it changes when the server
	// restarts, never when only a connection is replaced.
	Identity func(ctx context.Context) (string, error)
}

// Strategy is a way to notice a server restart and trigger a replay.
type Strategy interface {
	// DialOptions returns the options the strategy adds to grpc.Dial.
	DialOptions(h Hooks) []grpc.DialOption
}

// Watcher is implemented by strategies that watch the ClientConn. Watch runs
// in its own goroutine for the life of the ClientConn and returns when ctx
// ends.
type Watcher interface {
	Watch(ctx context.Context, cc *grpc.ClientConn, h Hooks)
}

// Info describes a registered strategy.
type Info struct {
	Name    string
	Summary string          // one line, for listings
	New     func() Strategy // a fresh instance for one client
	// ExactlyOnce is the strategy's claim that it starts one replay per
	// reconnect, never one per dial or per retry, so a server instance it
	// recovers receives each log entry once. The soak (bench, TestSoak)
	// fails a strategy that claims it and duplicates an entry.
	ExactlyOnce bool
	// NoSpurious is the strategy's claim that it never replays to a
	// server instance that already holds the log: after a fault that
	// keeps the server's state (rotate), or a reconnect to the same
	// instance, it sends nothing. The soak fails a strategy that claims it
	// and makes a spurious replay.
	NoSpurious bool
}

var registry = map[string]Info{}

// Register adds a strategy. It panics on a duplicate name, which is a
// programming error.
func Register(info Info) {
	if _, dup := registry[info.Name]; dup {
		panic("strategies: duplicate strategy " + info.Name)
	}
	registry[info.Name] = info
}

// Names returns the registered strategies' names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// All returns every registered strategy, sorted by name.
func All() []Info {
	infos := make([]Info, 0, len(registry))
	for _, name := range Names() {
		infos = append(infos, registry[name])
	}
	return infos
}

// Lookup returns the strategy called name.
func Lookup(name string) (Info, error) {
	info, ok := registry[name]
	if !ok {
		return Info{}, fmt.Errorf("unknown strategy %q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	return info, nil
}

// KeepaliveParams are the client keepalive settings the keepalive-based
// strategies use, the values most often recommended for grpc/grpc-go#7688.
// The harness's server permits pings this frequent.
var KeepaliveParams = keepalive.ClientParameters{
	Time:                10 * time.Second,
	Timeout:             5 * time.Second,
	PermitWithoutStream: true,
}
