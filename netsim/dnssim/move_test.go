//go:build go1.25

// synctest needs the timer channels of Go 1.23 and later, which a module
// file with an older go line would turn off.
//go:debug asynctimerchan=0

package dnssim

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/miekg/dns"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/reconnbench/reconnbench/netsim"
)

const (
	port = "50051"
	// The server's two homes. gRPC-Go's dns resolver only accepts IP
	// addresses in answers; these are loopback ones, should anything ever
	// dial them for real.
	ipA = "127.0.10.1"
	ipB = "127.0.10.2"
	// Where the DNS server listens, on a netsim network of its own so that
	// the gRPC network's record of dials and connections is the client's
	// alone.
	dnsAddr netsim.Addr = "127.0.0.53:53"
	// The record's TTL: gRPC-Go never looks at it.
	recordTTL = time.Minute
	// How long the test watches after the client reached B, to see whether
	// anything re-resolves by itself (a poll, or the TTL running out).
	quiet = 10 * time.Minute
)

var zones atomic.Int64

// uniqueZone names a zone no other test in the process uses: the resolver
// hook routes queries by zone, process-wide.
func uniqueZone() string { return fmt.Sprintf("z%d.reconnbench.test.", zones.Add(1)) }

func healthInstance() netsim.Instance {
	s := grpc.NewServer()
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	return netsim.Instance{GRPC: s}
}

// move is what one run of the move measured, on the virtual clock.
type move struct {
	firstLookup time.Duration // first A query, from the client's creation
	moved       time.Duration // the move, from the first A query
	reresolved  time.Duration // first A query answered with B, from the move
	sincePrev   time.Duration // ... from the A query before it
	dialB       time.Duration // first accepted dial to B, from the move
	rpcB        time.Duration // first RPC that succeeded after the move, from the move
	dialsA      int           // dials to A after the move (all refused)
	failedRPCs  int           // RPCs that failed after the move
	queries     []Query       // all the zone answered, in order
	dials       []string      // every dial on the gRPC network: when, where, how it ended
	after       []Query       // queries in the quiet period after the RPC on B
	t0          time.Time     // the client's creation
}

func (m move) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "grpc %s: moved %v after the first lookup (itself at +%v); after the move: %d refused dials to A, "+
		"%d failed RPCs, re-resolved to B at +%v (%v after the previous A query), first dial to B at +%v, RPC on B at +%v; "+
		"%d queries in all, %d in the %v after",
		grpc.Version, m.moved, m.firstLookup, m.dialsA, m.failedRPCs, m.reresolved, m.sincePrev, m.dialB, m.rpcB, len(m.queries), len(m.after), quiet)
	// The resolver asks for A and AAAA at once: in the order of their
	// virtual time and then type, not of arrival.
	qs := append([]Query(nil), m.queries...)
	sort.SliceStable(qs, func(i, j int) bool {
		return qs[i].At.Before(qs[j].At) || qs[i].At.Equal(qs[j].At) && qs[i].Type < qs[j].Type
	})
	for _, q := range qs {
		at := "?" // stamped by the real clock
		if !q.At.IsZero() {
			at = q.At.Sub(m.t0).String()
		}
		fmt.Fprintf(&b, "\n  %8s %-4s %s %s %v", at, q.Type, q.Name, q.Rcode, q.Answer)
	}
	for _, d := range m.dials {
		fmt.Fprintf(&b, "\n  dial %s", d)
	}
	return b.String()
}

// runMove runs, inside a bubble: a client on dns:///api.<zone>:50051 that
// reaches the server at A; moveAfter after the first lookup the server
// crashes at A, comes back at B and the record turns to B; the client's
// next RPC waits until it reaches B.
//
// With lo set, the DNS server is lo, on the real loopback network outside
// the bubble, and the target names it as authority: dns://127.0.0.1:port/...
// Its zone then stamps queries with the real clock, which says nothing of
// the bubble's: the move is timed from the client's creation instead.
func runMove(t *testing.T, moveAfter time.Duration, lo *loopbackDNS, opts ...grpc.DialOption) (m move) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		n := netsim.New(netsim.Local)
		defer n.Close()

		var zone *Zone
		authority := ""
		if lo != nil {
			zone, authority = lo.zone, lo.addr
		} else {
			dnsNet := netsim.New(netsim.Local)
			defer dnsNet.Close()
			zone = NewZone(uniqueZone())
			ds, err := Serve(dnsNet, dnsAddr, zone)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := ds.Close(); err != nil {
					t.Errorf("DNS server: %v", err)
				}
			}()
		}
		zone.SetA("api", recordTTL, ipA)
		a, err := netsim.StartServer(n, netsim.Addr(ipA+":"+port), healthInstance)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()

		m.t0 = time.Now()
		cc, err := grpc.DialContext(ctx, "dns://"+authority+"/"+zone.FQDN("api")+":"+port, append([]grpc.DialOption{
			grpc.WithInsecure(), // deprecated, but in every release since v1.30
			grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
				return n.Dial(ctx, netsim.Addr(addr))
			})}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		hc := healthpb.NewHealthClient(cc)
		check := func(timeout time.Duration) error {
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			_, err := hc.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
			return err
		}
		if err := check(10 * time.Second); err != nil {
			t.Fatalf("RPC to A: %v", err)
		}
		first := firstA(zone.Queries(), time.Time{})
		if first.At.IsZero() {
			t.Fatal("no A query before the client reached A")
		}
		if lo != nil {
			first.At = m.t0 // the client looks up at once
		}
		m.firstLookup = first.At.Sub(m.t0)

		time.Sleep(time.Until(first.At.Add(moveAfter)))
		tMove := time.Now()
		m.moved = tMove.Sub(first.At)
		// B serves and the record names it before A crashes: the lookup
		// that the connection loss sets off may run at once, and must not
		// find A (it would, now and then, were the record changed after
		// the crash, and the client would stay on A for another 30s).
		b, err := netsim.StartServer(n, netsim.Addr(ipB+":"+port), healthInstance)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		zone.SetA("api", recordTTL, ipB)
		a.Close()       // a crash: connections reset, the address refuses dials
		synctest.Wait() // the client has seen its connection reset

		// A client with work to do: an RPC that waits for a connection,
		// again after a short pause if it fails on one that was closing.
		for {
			err := check(5 * time.Minute)
			if err == nil {
				break
			}
			if m.failedRPCs++; time.Since(tMove) > 5*time.Minute {
				t.Fatalf("RPC after the move: %v", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		tB := time.Now()
		m.rpcB = tB.Sub(tMove)
		time.Sleep(quiet)

		m.queries = zone.Queries()
		if lo != nil {
			// The zone stamped its queries with the real clock.
			for i := range m.queries {
				m.queries[i].At = time.Time{}
			}
			m.reresolved, m.sincePrev = -1, -1
		} else {
			m.reresolved, m.sincePrev = reresolution(m.queries, tMove)
			for _, q := range m.queries {
				if q.At.After(tB) {
					m.after = append(m.after, q)
				}
			}
		}
		m.dialB = -1
		for _, d := range n.Dials() {
			m.dials = append(m.dials, fmt.Sprintf("%v %s %s", d.Start.Sub(m.t0), d.Addr, d.Outcome))
			if d.Start.Before(tMove) {
				continue
			}
			switch d.Addr {
			case netsim.Addr(ipA + ":" + port):
				m.dialsA++
			case netsim.Addr(ipB + ":" + port):
				if d.Outcome == netsim.Accepted && m.dialB < 0 {
					m.dialB = d.Start.Sub(tMove)
				}
			}
		}
	})
	return m
}

// firstA returns the first A query at or after from.
func firstA(qs []Query, from time.Time) Query {
	for _, q := range qs {
		if q.Type == "A" && !q.At.Before(from) {
			return q
		}
	}
	return Query{}
}

// reresolution finds the first A query after the move that answered B: how
// long after the move it came, and after the A query before it; -1 for
// none.
func reresolution(qs []Query, move time.Time) (sinceMove, sincePrev time.Duration) {
	var prev time.Time
	for _, q := range qs {
		if q.Type != "A" {
			continue
		}
		if !q.At.Before(move) && len(q.Answer) > 0 && q.Answer[0] == ipB {
			return q.At.Sub(move), q.At.Sub(prev)
		}
		prev = q.At
	}
	return -1, -1
}

// TestServerMoves moves the server to a new address, announced only through
// DNS, early (10s after the client's first lookup, inside gRPC-Go's minimum
// interval between resolutions of 30s) and late (100s after it).
func TestServerMoves(t *testing.T) {
	for _, tc := range []struct {
		name      string
		moveAfter time.Duration
	}{
		{"early", 10 * time.Second},
		{"late", 100 * time.Second},
	} {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			m := runMove(t, tc.moveAfter, nil)
			t.Log(m)
			if m.reresolved < 0 {
				t.Fatalf("no A query answered B after the move")
			}
			if m.sincePrev < 30*time.Second {
				t.Errorf("re-resolved %v after the previous lookup, inside the minimum interval of 30s", m.sincePrev)
			}
			if m.dialB < 0 || m.dialB < m.reresolved {
				t.Errorf("first dial to B at %v, re-resolution at %v", m.dialB, m.reresolved)
			}
			// ResolveNow calls queued while the resolver waited out its
			// minimum interval are served one interval after another: up
			// to two more lookups (v1.38-v1.40 make the second, from
			// the dial that reaches B). Nothing after that, in the
			// minutes left: no polling, and the record's TTL of 1m
			// counts for nothing.
			tB := m.t0.Add(m.firstLookup + m.moved + m.rpcB)
			for _, q := range m.after {
				if q.Type == "A" && q.At.Sub(tB) > 90*time.Second {
					t.Errorf("A query at %v, %v after the client reached B: gRPC-Go re-resolved without a reason", q.At.Sub(m.t0), q.At.Sub(tB))
				}
			}
		})
	}
}

// TestServerMovesDeterministically runs the early move twice with gRPC-Go's
// backoff jitter off, the one source of randomness: the two runs see the
// same lookups and dials at the same virtual times.
func TestServerMovesDeterministically(t *testing.T) {
	noJitter := grpc.WithConnectParams(grpc.ConnectParams{
		Backoff:           backoff.Config{BaseDelay: time.Second, Multiplier: 1.6, MaxDelay: 120 * time.Second},
		MinConnectTimeout: 20 * time.Second,
	})
	var runs [2]string
	for i := range runs {
		m := runMove(t, 10*time.Second, nil, noJitter)
		runs[i] = strings.ReplaceAll(m.String(), m.queries[0].Name, "api.<zone>.")
		runs[i] = strings.ReplaceAll(runs[i], "_grpc_config."+m.queries[0].Name, "_grpc_config.api.<zone>.")
	}
	t.Log(runs[0])
	if runs[0] != runs[1] {
		t.Errorf("two runs differ:\n%s\n---\n%s", runs[0], runs[1])
	}
}

// loopbackDNS is a miekg/dns server on real loopback UDP, outside every
// bubble: option (b), for comparison.
type loopbackDNS struct {
	zone   *Zone
	addr   string
	server *dns.Server
	served chan error
}

func startLoopbackDNS(t *testing.T) *loopbackDNS {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	lo := &loopbackDNS{zone: NewZone(uniqueZone()), addr: pc.LocalAddr().String(), served: make(chan error, 1)}
	lo.server = &dns.Server{PacketConn: pc, Handler: lo.zone, NotifyStartedFunc: func() { close(started) }}
	go func() { lo.served <- lo.server.ActivateAndServe() }()
	<-started
	t.Cleanup(func() {
		lo.server.Shutdown()
		<-lo.served
	})
	return lo
}

// TestServerMovesLoopbackDNS is option (b): the same moves, the lookups
// going over real loopback UDP to a server outside the bubble, named as
// the target's authority. The bubble's goroutine blocked on the real
// socket is not durably blocked, so the fake clock stands still for the
// exchange: the virtual timings come out the same as in-bubble.
func TestServerMovesLoopbackDNS(t *testing.T) {
	for _, tc := range []struct {
		name      string
		moveAfter time.Duration
	}{
		{"early", 10 * time.Second},
		{"late", 100 * time.Second},
	} {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			lo := startLoopbackDNS(t)
			m := runMove(t, tc.moveAfter, lo)
			t.Log(m)
			if m.dialB < 0 {
				t.Errorf("the client never dialled B")
			}
		})
	}
}
