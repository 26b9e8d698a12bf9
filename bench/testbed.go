package bench

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/replay"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/strategies"
)

// testbed is the network a cycle's client dials through and the server
// that faults take down: netsim's, or real TCP and processes.
type testbed interface {
	// Target is the address the client dials.
	Target() string
	// Dial is the client's dialer. The testbed counts its attempts.
	Dial(ctx context.Context, addr string) (net.Conn, error)
	// Inject applies the fault and returns when the fresh server serves
	// (for rotate, when the grace period after its GOAWAY is over). It
	// calls strike, once, at the fault's instant.
	Inject(ctx context.Context, f netsim.Fault, downtime time.Duration, strike func(at time.Time)) error
	// Last returns the server instance that started last, and Starts when
	// each instance started serving.
	Last() instance
	Starts() []time.Time
	// Dials and Conns are the network's records of the client's dial
	// attempts and connections.
	Dials() []netsim.Dial
	Conns() []netsim.ConnInfo
	// Spurious counts the replays, on every instance so far, that began
	// when the instance already held the whole log.
	Spurious() int
	// RotatedNothing reports whether a rotate fault struck without
	// rotating any connection (netsim.Server.RotatedNothing).
	RotatedNothing() bool
	// Close stops the server and the network.
	Close()
}

// instance is the replay state of one server instance.
type instance interface {
	// Complete is closed when a replay has completed the instance's store,
	// and CompletedAt says when.
	Complete() <-chan struct{}
	CompletedAt() time.Time
	// Tally compares the instance's store with a log of n entries.
	Tally(ctx context.Context, n int) (replay.Tally, error)
}

// newTestbed starts the server of c's scenario on its network.
func newTestbed(c *cycle) (testbed, error) {
	if c.Net == TCP {
		_, blackhole := c.fault.(netsim.Blackhole)
		return newTCPBed(c.log.Len(), blackhole, c.rec)
	}
	var age *keepalive.ServerParameters
	if _, ok := c.fault.(netsim.Rotate); ok {
		p := rotation(c.quiet(), c.Downtime)
		age = &p
	}
	return newSimBed(c.Link, c.log.Len(), age, c.rec)
}

// rotation is the connection-age limit of the server in a rotate cell:
// gRPC rotates a connection the quiet time after the server took it (give
// or take gRPC's ±10% jitter), and closes it the downtime later if
// streams still run on it.
func rotation(quiet, downtime time.Duration) keepalive.ServerParameters {
	return keepalive.ServerParameters{MaxConnectionAge: quiet, MaxConnectionAgeGrace: downtime}
}

// serverAddr is where the server listens on the simulated network.
const serverAddr netsim.Addr = "server:50051"

// simBed is netsim's network with server instances in this process.
type simBed struct {
	*netsim.Network
	server *netsim.Server

	mu     sync.Mutex
	stores []*replay.Store // one per server instance, in start order
}

// newSimBed starts the server; age, if not nil, is the connection-age
// limit its instances rotate connections with (netsim.Rotate).
func newSimBed(link netsim.Profile, entries int, age *keepalive.ServerParameters, rec *recorder) (*simBed, error) {
	b := &simBed{Network: netsim.New(link)}
	b.Observe(rec)
	build := func() netsim.Instance {
		store := replay.NewStore(entries)
		b.mu.Lock()
		b.stores = append(b.stores, store)
		rec.add(resultset.EventServerUp, fmt.Sprint(len(b.stores)))
		b.mu.Unlock()
		return newInstance(store, age)
	}
	var err error
	if b.server, err = netsim.StartServer(b.Network, serverAddr, build); err != nil {
		b.Network.Close()
		return nil, err
	}
	return b, nil
}

func (b *simBed) Target() string { return string(serverAddr) }

func (b *simBed) Dial(ctx context.Context, addr string) (net.Conn, error) {
	return b.Network.Dial(ctx, netsim.Addr(addr))
}

func (b *simBed) Inject(ctx context.Context, f netsim.Fault, downtime time.Duration, strike func(time.Time)) error {
	b.server.OnStrike(strike)
	return b.server.Inject(ctx, f, downtime)
}

func (b *simBed) RotatedNothing() bool { return b.server.RotatedNothing() }

func (b *simBed) Spurious() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, s := range b.stores {
		n += s.Spurious()
	}
	return n
}

func (b *simBed) Starts() []time.Time { return b.server.Starts() }

func (b *simBed) Last() instance {
	b.mu.Lock()
	defer b.mu.Unlock()
	return localStore{b.stores[len(b.stores)-1]}
}

func (b *simBed) Close() {
	b.server.Close()
	b.Network.Close()
}

// localStore is an instance whose store is in this process.
type localStore struct{ *replay.Store }

func (s localStore) Tally(_ context.Context, n int) (replay.Tally, error) {
	return s.Store.Tally(n), nil
}

// newInstance builds a fresh server instance around store, the way a
// restarted process comes up, with the drain a well-behaved process runs
// on SIGTERM. With age it also has the twin that rotates the connections
// it takes until its first GOAWAY (netsim.Instance.Aged), serving the same
// store and health.
func newInstance(store *replay.Store, age *keepalive.ServerParameters) netsim.Instance {
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	serve := func(opts ...grpc.ServerOption) *grpc.Server {
		s := newGRPCServer(opts...)
		replay.Register(s, store)
		healthpb.RegisterHealthServer(s, hs)
		return s
	}
	in := netsim.Instance{GRPC: serve(), Drain: func() {
		hs.Shutdown()
		store.Drain()
	}}
	if age != nil {
		in.Aged, in.MaxAge = serve(grpc.KeepaliveParams(*age)), age.MaxConnectionAge
	}
	return in
}

// newGRPCServer is the server every measurement uses, with opts added. It
// permits the keepalive strategies' pings; without that, older releases
// answer client pings, BDP estimation's included, with a too_many_pings
// GOAWAY.
func newGRPCServer(opts ...grpc.ServerOption) *grpc.Server {
	return grpc.NewServer(append([]grpc.ServerOption{grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
		MinTime:             strategies.KeepaliveParams.Time / 2,
		PermitWithoutStream: true,
	})}, opts...)...)
}
