package bench

import (
	"context"
	"flag"
	"net"
	"sync/atomic"

	"google.golang.org/grpc"

	"github.com/reconnbench/reconnbench/strategies"
)

// The misbehaving strategies break every rule a strategy should keep, so
// that the runner's handling of them (a failed cell with its reason and a
// stack excerpt, the rest of the matrix kept) can be tested end to end:
// versions' tests run this test binary with -matrix.misbehave. They exist
// only in the test binary, and only when the flag asks for them, so no
// ordinary run or test ever sees them.
var matrixMisbehave = flag.Bool("matrix.misbehave", false, "also register the misbehaving strategies (misbehave-*), for the runner's tests")

// Misbehaviours, by strategy name. Each replays on every dial, as the
// dialer strategy does, so that a cell that survives its misbehaviour
// would measure normally.
var misbehaviours = map[string]misbehaving{
	// A panic while building the dial options, on the harness's goroutine.
	"misbehave-panic-options": {options: func() { panic("misbehave: DialOptions panics") }},
	// A panic in the strategy's dialer, on a goroutine gRPC started.
	"misbehave-panic-dial": {dial: func() { panic("misbehave: the dialer panics") }},
	// A panic in the watcher goroutine.
	"misbehave-panic-watch": {watch: func(context.Context) { panic("misbehave: Watch panics") }},
	// A watcher that waits for a channel nobody closes, ignoring its
	// context: blocked for good inside the bubble.
	"misbehave-deadlock": {watch: func(context.Context) { <-make(chan struct{}) }},
	// A watcher that spins until its context ends and never blocks: the
	// virtual clock cannot advance, the real clock can.
	"misbehave-spin": {watch: func(ctx context.Context) {
		for ctx.Err() == nil {
		}
	}},
	// A watcher that spins in the first of every three cycles it
	// watches in its process, as gRPC-Go's transparent retry loop of
	// grpc/grpc-go#5341 does in some cycles. A spun cycle is measured
	// again on the real clock, the next of the three, and the third runs
	// on the virtual clock: the process bears two such stalls, and a
	// fresh one runs what the third left.
	"misbehave-spin-some": {watch: func(ctx context.Context) {
		if watches.Add(1)%3 == 1 {
			for ctx.Err() == nil {
			}
		}
	}},
	// DialOptions never returns: the cycle cannot even start.
	"misbehave-hang": {options: func() { select {} }},
}

// watches counts the cycles misbehave-spin-some has watched in this
// process.
var watches atomic.Int64

func registerMisbehaving() {
	for name, m := range misbehaviours {
		strategies.Register(strategies.Info{Name: name, Summary: "misbehaves, for tests", New: func() strategies.Strategy { return m }})
	}
}

// misbehaving replays on every dial and misbehaves where its fields say.
type misbehaving struct {
	options func()
	dial    func()
	watch   func(context.Context)
}

func (m misbehaving) DialOptions(h strategies.Hooks) []grpc.DialOption {
	if m.options != nil {
		m.options()
	}
	return []grpc.DialOption{grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
		if m.dial != nil {
			m.dial()
		}
		conn, err := h.Dial(ctx, addr)
		if err == nil {
			h.Replay()
		}
		return conn, err
	})}
}

func (m misbehaving) Watch(ctx context.Context, cc *grpc.ClientConn, h strategies.Hooks) {
	if m.watch != nil {
		m.watch(ctx)
	}
}
