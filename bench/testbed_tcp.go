package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/netsim/dnssim"
	"github.com/reconnbench/reconnbench/realnet"
	"github.com/reconnbench/reconnbench/replay"
	"github.com/reconnbench/reconnbench/resultset"
)

// serverCommand returns the command of a tcpBed's server process, whose
// store expects entries log entries; the process must run serveProcess.
// The bench test binary sets it to run itself, so that server and client
// link the same gRPC-Go release.
var serverCommand func(entries int) *exec.Cmd

// serverPort is the loopback port of tcpBed servers; 0 picks one for each.
// The runner gives every matrix process its own.
var serverPort int

// tcpBed is real loopback TCP with the server a separate process (this
// binary, running serveProcess). Clients connect to the process directly,
// or through a forwarding proxy for the blackhole fault, which needs one to
// silence connections. Its service is one backend, behind passthrough or
// behind gRPC-Go's dns resolver asking a real DNS server on loopback
// (realnet.DNSServer, serving a dnssim.Zone), with either policy; the
// move fault takes the server to another loopback IP (movedIP), at the
// same port, and changes the DNS record first.
type tcpBed struct {
	realnet.Dialer
	service
	dialObserver
	server *realnet.Server

	dns  *realnet.DNSServer // for resolver dns
	zone *dnssim.Zone
	name string // the service's fully qualified name

	mu       sync.Mutex
	insts    []*remoteStore // one per server process, in start order
	spurious int            // spurious replays the processes reported
}

// movedIP is where the move fault takes a tcpBed's server: an address
// of the loopback network that Linux answers on without configuration.
const movedIP = "127.0.0.2"

// newTCPBed starts the server process, and the DNS server for resolver
// dns. proxy puts the blackhole fault's proxy in front of the server,
// move gives it movedIP to move to; age, if not nil, is the
// connection-age limit its processes rotate connections with
// (netsim.Rotate), passed to them by realnet (realnet.Config.Age).
func newTCPBed(entries int, proxy, move bool, age *keepalive.ServerParameters, rec *recorder, sv service) (b *tcpBed, err error) {
	if serverCommand == nil {
		return nil, errors.New("net tcp needs a server process: run the cycle from the bench test binary, which provides one")
	}
	b = &tcpBed{service: sv, dialObserver: dialObserver{rec, !sv.single(), newBackendsReady(1)}}
	b.Observe(b.dialObserver)
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	if sv.resolver == DNS {
		b.zone, b.name = newServiceZone("127.0.0.1")
		if b.dns, err = realnet.ServeDNS(b.zone); err != nil {
			return nil, err
		}
	}
	var limit realnet.Age
	if age != nil {
		limit = realnet.Age{Max: age.MaxConnectionAge, Grace: age.MaxConnectionAgeGrace}
	}
	var moveTo string
	if move {
		moveTo = movedIP
	}
	b.server, err = realnet.StartServer(realnet.Config{
		Command: func() *exec.Cmd { return serverCommand(entries) },
		Port:    serverPort,
		Proxy:   proxy,
		Age:     limit,
		MoveTo:  moveTo,
		OnMove: func(addr string) {
			if b.zone != nil {
				host, _, _ := net.SplitHostPort(addr)
				b.zone.SetA(serviceName, recordTTL, host)
			}
		},
		OnUp: func(gen int, addr string) {
			b.mu.Lock()
			b.insts = append(b.insts, &remoteStore{bed: b, gen: gen, done: make(chan struct{})})
			b.mu.Unlock()
			b.started(0, netsim.Addr(addr), time.Now())
			rec.add(resultset.EventServerUp, fmt.Sprint(gen+1))
		},
		OnEvent: b.event,
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// ClientTarget is the client's target: the server's first address
// through passthrough, or the service's name through gRPC-Go's dns
// resolver, with the DNS server as the target's authority.
func (b *tcpBed) ClientTarget() string {
	if b.resolver == DNS {
		_, port, _ := net.SplitHostPort(b.server.Target())
		return "dns://" + b.dns.Addr() + "/" + b.name + ":" + port
	}
	return "passthrough:///" + b.Target()
}

// event handles a server process's reports: "complete <unix ns>", and
// "spurious" after each spurious replay.
func (b *tcpBed) event(gen int, ev string) {
	if ev == "spurious" {
		b.mu.Lock()
		b.spurious++
		b.mu.Unlock()
		return
	}
	var ns int64
	if _, err := fmt.Sscanf(ev, "complete %d", &ns); err != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, in := range b.insts {
		if in.gen == gen && in.at.IsZero() {
			in.at = time.Unix(0, ns)
			close(in.done)
		}
	}
}

func (b *tcpBed) Target() string { return b.server.Target() }

// Inject applies f through realnet, which strikes as netsim does: at
// once, or, for rotate, when the server process sends its GOAWAY.
func (b *tcpBed) Inject(ctx context.Context, f netsim.Fault, downtime time.Duration, strike func(time.Time)) error {
	b.server.OnStrike(strike)
	return b.server.Inject(ctx, f, downtime)
}

func (b *tcpBed) RotatedNothing() bool { return b.server.RotatedNothing() }

func (b *tcpBed) Spurious() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spurious
}

func (b *tcpBed) Starts() []time.Time { return b.server.Starts() }

func (b *tcpBed) Last() instance {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.insts[len(b.insts)-1]
}

func (b *tcpBed) Close() {
	if b.server != nil {
		b.server.Close()
	}
	if b.dns != nil {
		b.dns.Close()
	}
}

// remoteStore is the store of a server process.
type remoteStore struct {
	bed  *tcpBed
	gen  int
	done chan struct{}
	at   time.Time // guarded by bed.mu
}

func (s *remoteStore) Complete() <-chan struct{} { return s.done }

func (s *remoteStore) CompletedAt() time.Time {
	s.bed.mu.Lock()
	defer s.bed.mu.Unlock()
	return s.at
}

// Tally asks the serving process, which must be this one, for its tally.
func (s *remoteStore) Tally(ctx context.Context, n int) (replay.Tally, error) {
	var t replay.Tally
	r, err := s.bed.server.Ask(ctx, "tally "+strconv.Itoa(n))
	if err != nil {
		return t, err
	}
	if _, err := fmt.Sscanf(r, "%d %d %d %d", &t.Lost, &t.Duplicated, &t.Corrupt, &t.Replays); err != nil {
		return t, fmt.Errorf("server process answered %q to a tally: %w", r, err)
	}
	return t, nil
}

// serveProcess is the server process of a tcpBed: one instance with a
// fresh store, serving until it is killed, or stopping gracefully on
// SIGTERM as netsim's graceful fault does. Given a connection-age limit
// (rotate), it is built as netsim's instances are, with the aged twin,
// and splits its listener between the two the same way.
func serveProcess(c *realnet.Child, entries int) int {
	store := replay.NewStore(entries)
	store.OnSpurious(func() { c.Event("spurious") })
	var age *keepalive.ServerParameters
	if a, ok := c.Age(); ok {
		p := rotation(a.Max, a.Grace)
		age = &p
	}
	in := newInstance(store, age)
	servers := []*grpc.Server{in.GRPC}
	var err error
	if in.Aged == nil {
		var lis net.Listener
		if lis, err = c.Listen(); err == nil {
			go in.GRPC.Serve(lis)
		}
	} else {
		var aged, fresh net.Listener
		if aged, fresh, err = c.ListenAged(); err == nil {
			go in.Aged.Serve(aged)
			go in.GRPC.Serve(fresh)
			servers = append(servers, in.Aged)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reconnbench server:", err)
		return 1
	}
	go func() {
		<-store.Complete()
		c.Event(fmt.Sprintf("complete %d", store.CompletedAt().UnixNano()))
	}()
	for {
		select {
		case req := <-c.Requests():
			var n int
			if _, err := fmt.Sscanf(req, "tally %d", &n); err != nil {
				c.Reply("unknown request")
				continue
			}
			t := store.Tally(n)
			c.Reply(fmt.Sprintf("%d %d %d %d", t.Lost, t.Duplicated, t.Corrupt, t.Replays))
		case <-c.Terminated():
			in.Drain()
			var wg sync.WaitGroup
			for _, s := range servers {
				s := s
				wg.Add(1)
				go func() {
					defer wg.Done()
					s.GracefulStop()
				}()
			}
			wg.Wait()
			return 0
		}
	}
}
