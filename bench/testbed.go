package bench

import (
	"context"
	"fmt"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/netsim/dnssim"
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

// newTestbed starts the servers of c's scenario on its network.
func newTestbed(c *cycle) (testbed, error) {
	var age *keepalive.ServerParameters
	if _, ok := c.fault.(netsim.Rotate); ok {
		p := rotation(c.quiet(), c.Downtime)
		age = &p
	}
	if c.Net == TCP {
		_, blackhole := c.fault.(netsim.Blackhole)
		_, move := c.fault.(netsim.Move)
		return newTCPBed(c.log.Len(), blackhole, move, age, c.rec, service{c.Resolver, c.Backends, c.Policy})
	}
	return newSimBed(c.Link, c.log.Len(), age, c.rec, service{c.Resolver, c.Backends, c.Policy})
}

// rotation is the connection-age limit of the server in a rotate cell:
// gRPC rotates a connection the quiet time after the server took it (give
// or take gRPC's ±10% jitter), and closes it the downtime later if
// streams still run on it.
func rotation(quiet, downtime time.Duration) keepalive.ServerParameters {
	return keepalive.ServerParameters{MaxConnectionAge: quiet, MaxConnectionAgeGrace: downtime}
}

// service is what a cycle's client reaches: a resolver, its backends and
// the policy over them.
type service struct {
	resolver Resolver
	backends int
	policy   Policy
}

// single reports whether the service is one backend behind passthrough
// with pick_first, as every cell was before these were keys.
func (sv service) single() bool {
	return sv.resolver == Passthrough && sv.backends == 1 && sv.policy == PickFirst
}

// Addresses on the simulated network. The server of a passthrough cell
// listens at serverAddr, and the move fault takes it to movedAddr. The
// backends of a dns service listen at hostAddr(i) and move to
// movedHostAddr(i): IP addresses, the only answers gRPC-Go's dns resolver
// takes, and loopback ones, harmless should anything dial them for real.
// The DNS server listens on a network of its own, so that the cycle's
// network records the client's own dials and connections only.
const (
	serverAddr  netsim.Addr = "server:50051"
	movedAddr   netsim.Addr = "moved:50051"
	dnsAddr     netsim.Addr = "127.0.0.53:53"
	servicePort             = "50051"
	// serviceName is the service's name in its zone, and recordTTL the
	// time to live of its records. No gRPC-Go release reads it: the
	// resolver sees addresses only (net.Resolver.LookupHost).
	serviceName = "api"
	recordTTL   = 5 * time.Second
)

func hostIP(i int) string          { return fmt.Sprintf("127.0.10.%d", i+1) }
func movedHostIP(i int) string     { return fmt.Sprintf("127.0.11.%d", i+1) }
func ipAddr(ip string) netsim.Addr { return netsim.Addr(net.JoinHostPort(ip, servicePort)) }

// zones numbers the cycles' DNS zones: the resolver hook routes queries
// by zone, process-wide, so each cycle has a zone no other uses.
var zones atomic.Int64

// newServiceZone returns a zone of the cycle's own whose service name
// has the A records ips, and the service's fully qualified name.
func newServiceZone(ips ...string) (*dnssim.Zone, string) {
	z := dnssim.NewZone(fmt.Sprintf("c%d.reconnbench.test.", zones.Add(1)))
	z.SetA(serviceName, recordTTL, ips...)
	return z, z.FQDN(serviceName)
}

// simBed is netsim's network with server instances in this process: one
// host per backend, each a restartable server at an address of its own
// with a store per instance, and, for resolver dns, a DNS server whose
// zone names them.
type simBed struct {
	*netsim.Network
	service
	dialObserver // its recorder, and its backendsReady: each backend's last instance
	hosts        []*netsim.Server
	done         chan struct{} // closed by Close

	// The DNS server, its zone and the service's fully qualified name,
	// for resolver dns.
	dnsNet *netsim.Network
	dns    *dnssim.Server
	zone   *dnssim.Zone
	name   string

	mu      sync.Mutex
	stores  []*replay.Store // one per server instance, in start order
	storeOf map[*replay.Store]int
	struck  time.Time // the fault's instant, once it struck
	pools   []*pool
}

// newSimBed starts the service's servers, and its DNS server for resolver
// dns; age, if not nil, is the connection-age limit the first backend's
// instances rotate connections with (netsim.Rotate).
func newSimBed(link netsim.Profile, entries int, age *keepalive.ServerParameters, rec *recorder, sv service) (b *simBed, err error) {
	b = &simBed{Network: netsim.New(link), service: sv, done: make(chan struct{}),
		storeOf: map[*replay.Store]int{}, dialObserver: dialObserver{rec, !sv.single(), newBackendsReady(sv.backends)}}
	b.Observe(b)
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	if sv.resolver == DNS {
		if err := dnssim.Installed(); err != nil {
			return nil, fmt.Errorf("resolver dns: %w", err)
		}
		b.dnsNet = netsim.New(link)
		var ips []string
		for i := 0; i < sv.backends; i++ {
			ips = append(ips, hostIP(i))
		}
		b.zone, b.name = newServiceZone(ips...)
		if b.dns, err = dnssim.Serve(b.dnsNet, dnsAddr, b.zone); err != nil {
			return nil, err
		}
	}
	for i := 0; i < sv.backends; i++ {
		i := i
		hostAge := age
		if i > 0 {
			hostAge = nil // faults strike the first backend only
		}
		addr, moved := serverAddr, movedAddr
		if sv.resolver == DNS {
			addr, moved = ipAddr(hostIP(i)), ipAddr(movedHostIP(i))
		}
		build := func() netsim.Instance {
			// The server calls build as the instance starts, holding its
			// lock: its first instance's inside StartServer, the others'
			// inside Inject, once b.hosts is complete.
			at := addr
			if i < len(b.hosts) {
				at = b.hosts[i].Addr()
			}
			store := replay.NewStore(entries)
			b.mu.Lock()
			b.stores = append(b.stores, store)
			b.storeOf[store] = i
			n := len(b.stores)
			b.started(i, at, time.Now())
			b.notifyLocked()
			b.mu.Unlock()
			detail := fmt.Sprint(n)
			if !sv.single() {
				detail = fmt.Sprintf("%d backend %d", n, i+1)
			}
			rec.add(resultset.EventServerUp, detail)
			go b.watch(store)
			return newInstance(store, hostAge)
		}
		s, err := netsim.StartServer(b.Network, addr, build)
		if err != nil {
			return nil, err
		}
		b.hosts = append(b.hosts, s)
		s.SetMove(moved, b.announceMove(i))
	}
	return b, nil
}

// announceMove returns the move fault's announcement for backend i: its
// record in the zone names its new address (nothing, for passthrough).
func (b *simBed) announceMove(i int) func(netsim.Addr) {
	return func(to netsim.Addr) {
		if b.zone == nil {
			return
		}
		var ips []string
		for j, h := range b.hosts {
			a := h.Addr()
			if j == i {
				a = to
			}
			host, _, _ := net.SplitHostPort(string(a))
			ips = append(ips, host)
		}
		b.zone.SetA(serviceName, recordTTL, ips...)
	}
}

// Target is the first backend's address.
func (b *simBed) Target() string { return string(b.hosts[0].Addr()) }

// ClientTarget is the client's target: the first backend's address
// through passthrough, or the service's name through gRPC-Go's dns
// resolver. A dns:/// target has no authority, so the resolver looks up
// through net.DefaultResolver, which dnssim sends to the cycle's DNS
// server.
func (b *simBed) ClientTarget() string {
	if b.resolver == DNS {
		return "dns:///" + b.name + ":" + servicePort
	}
	return "passthrough:///" + b.Target()
}

func (b *simBed) Dial(ctx context.Context, addr string) (net.Conn, error) {
	return b.Network.Dial(ctx, netsim.Addr(addr))
}

// Inject strikes the first backend with f, or, for a fault on the whole
// service (rolling), every backend.
func (b *simBed) Inject(ctx context.Context, f netsim.Fault, downtime time.Duration, strike func(time.Time)) error {
	first := func(at time.Time) {
		b.mu.Lock()
		if b.struck.IsZero() {
			b.struck = at
		}
		b.mu.Unlock()
		strike(at) // the cycle, too, takes the first strike only
	}
	for _, h := range b.hosts {
		h.OnStrike(first)
	}
	if g, ok := f.(netsim.GroupFault); ok {
		return g.InjectAll(ctx, b.hosts, downtime)
	}
	return b.hosts[0].Inject(ctx, f, downtime)
}

func (b *simBed) RotatedNothing() bool { return b.hosts[0].RotatedNothing() }

func (b *simBed) Spurious() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, s := range b.stores {
		n += s.Spurious()
	}
	return n
}

// Starts returns when every instance of every backend started, in order.
func (b *simBed) Starts() []time.Time {
	var all []time.Time
	for _, h := range b.hosts {
		all = append(all, h.Starts()...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Before(all[j]) })
	return all
}

// Last returns, for one backend, the instance that started last: the
// client's state must be on it. With several, the client's state must be
// on whichever backend pick_first gives it: Last returns the pool of
// every store that lacked the log when the fault struck (before it,
// every store), complete when a replay completes any of them.
func (b *simBed) Last() instance {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.backends == 1 {
		return localStore{b.stores[len(b.stores)-1]}
	}
	return b.poolLocked(b.struck)
}

func (b *simBed) Close() {
	select {
	case <-b.done:
		return
	default:
	}
	close(b.done)
	for _, h := range b.hosts {
		h.Close()
	}
	b.Network.Close()
	if b.dns != nil {
		b.dns.Close()
	}
	if b.dnsNet != nil {
		b.dnsNet.Close()
	}
}

// watch waits for store to complete, or the bed to close, and tells the
// pools.
func (b *simBed) watch(store *replay.Store) {
	select {
	case <-store.Complete():
	case <-b.done:
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.notifyLocked()
}

// pool is the instance of a service with several backends: the stores
// that lacked the log at since, and every one started after it. It is
// complete when a replay completes the first of them: the client's
// state is then on a backend it reaches.
type pool struct {
	bed   *simBed
	since time.Time
	done  chan struct{}
	first *replay.Store // the first of its stores to complete, once done
}

func (b *simBed) poolLocked(since time.Time) *pool {
	p := &pool{bed: b, since: since, done: make(chan struct{})}
	b.pools = append(b.pools, p)
	b.notifyLocked()
	return p
}

// completedSince reports whether s completed at or after since, and so
// lacked the log before since.
func completedSince(s *replay.Store, since time.Time) bool {
	select {
	case <-s.Complete():
		return !s.CompletedAt().Before(since)
	default:
		return false
	}
}

// notifyLocked completes the pools whose first store has completed. The
// caller holds b.mu.
func (b *simBed) notifyLocked() {
	for _, p := range b.pools {
		if p.first != nil {
			continue
		}
		var first *replay.Store
		for _, s := range b.stores {
			if completedSince(s, p.since) && (first == nil || s.CompletedAt().Before(first.CompletedAt())) {
				first = s
			}
		}
		if first != nil {
			p.first = first
			close(p.done)
		}
	}
}

func (p *pool) Complete() <-chan struct{} { return p.done }

func (p *pool) CompletedAt() time.Time {
	p.bed.mu.Lock()
	defer p.bed.mu.Unlock()
	if p.first == nil {
		return time.Time{}
	}
	return p.first.CompletedAt()
}

// Tally compares the store the client's state reached with the log: the
// first of the pool's stores that a replay completed or, if none did,
// the store of the instance the client is connected to at the end (the
// last instance that started, if none).
func (p *pool) Tally(_ context.Context, n int) (replay.Tally, error) {
	b := p.bed
	b.mu.Lock()
	s := p.first
	b.mu.Unlock()
	if s == nil {
		s = b.servingStore()
	}
	return s.Tally(n), nil
}

// servingStore returns the store of the last instance of the backend the
// client's newest open connection goes to, or the last store started.
func (b *simBed) servingStore() *replay.Store {
	conns := b.Conns()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(conns) - 1; i >= 0; i-- {
		if !conns[i].Closed.IsZero() || conns[i].Opened.Before(b.struck) {
			continue
		}
		for hi := 0; hi < b.backends; hi++ {
			if b.addr(hi) != conns[i].Remote {
				continue
			}
			for j := len(b.stores) - 1; j >= 0; j-- {
				if b.storeOf[b.stores[j]] == hi {
					return b.stores[j]
				}
			}
		}
	}
	return b.stores[len(b.stores)-1]
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
