package netsim

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"
)

// Instance is one incarnation of a server process: a gRPC server whose
// application state starts empty.
type Instance struct {
	GRPC *grpc.Server
	// Drain, if set, runs before a graceful stop, as a well-behaved process
	// does on SIGTERM (for example to set its health to NOT_SERVING).
	Drain func()
	// Aged, if set, is a second gRPC server of the instance, serving the
	// same application state, built with a connection-age limit of MaxAge
	// (keepalive.ServerParameters.MaxConnectionAge, and its
	// MaxConnectionAgeGrace): it serves every connection the instance
	// accepts until it rotates the first of them, that is, sends it a
	// GOAWAY; GRPC serves the connections accepted after that. So the
	// instance rotates its client's connection once, the way gRPC's own
	// age limit does, and then serves as usual: the Rotate fault.
	Aged   *grpc.Server
	MaxAge time.Duration
}

// Server is a gRPC server at a fixed address on a Network that faults take
// down and bring back. Each time it comes back it is a fresh Instance from
// the builder, like a restarted process.
type Server struct {
	network *Network
	addr    Addr // written under mu and hookMu (Move); read under either
	build   func() Instance

	mu      sync.Mutex // serialises Inject and Close
	current *running
	gens    int
	started []time.Time

	hookMu   sync.Mutex
	onStrike func(time.Time)
	struck   bool // the fault being injected has struck
	// moveTo is where the Move fault takes the server, and announce what
	// it calls first (SetMove).
	moveTo   Addr
	announce func(to Addr)
}

// running is an Instance serving on a listener.
type running struct {
	Instance
	lis    *Listener
	split  *Splitter     // for an instance with Aged, nil otherwise
	served chan struct{} // closed when every Serve has returned
}

// StartServer starts the first instance from build, listening on n at addr.
func StartServer(n *Network, addr Addr, build func() Instance) (*Server, error) {
	s := &Server{network: n, addr: addr, build: build}
	if err := s.up(); err != nil {
		return nil, err
	}
	return s, nil
}

// Addr returns the address the server listens at, or will listen at once
// it is back: Move changes it.
func (s *Server) Addr() Addr {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	return s.addr
}

// SetMove says where the Move fault takes the server: its next instance
// listens at to. Move calls announce(to) first, at the fault's instant,
// before the old instance dies, as a service registry names a new home
// (a DNS record, say) before a client can learn of the loss of the old
// one. announce may be nil.
func (s *Server) SetMove(to Addr, announce func(to Addr)) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.moveTo, s.announce = to, announce
}

// Starts returns when each instance started serving, the first one first.
func (s *Server) Starts() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.started...)
}

// Inject applies fault f: the server goes down, stays down for downtime and
// comes back as a fresh instance. It returns when the new instance serves,
// or early with ctx's error, leaving the server down. (Rotate keeps the
// instance: see it.)
func (s *Server) Inject(ctx context.Context, f Fault, downtime time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil {
		return fmt.Errorf("netsim: inject %s: server at %s is not running", f.Name(), s.addr)
	}
	s.hookMu.Lock()
	s.struck = false
	s.hookMu.Unlock()
	if _, later := f.(strikesLater); !later {
		s.strike(time.Now())
	}
	return f.Inject(ctx, s, downtime)
}

// OnStrike makes f be called at the instant each injected fault strikes:
// when Inject is called, for every fault but Rotate, which strikes when
// the server sends its GOAWAY. It runs once per Inject, on the goroutine
// that calls Inject.
func (s *Server) OnStrike(f func(at time.Time)) {
	s.hookMu.Lock()
	s.onStrike = f
	s.hookMu.Unlock()
}

// strikesLater is implemented by faults whose instant is not the call to
// Inject: they call Server.strike themselves.
type strikesLater interface{ strikesLater() }

// strike reports the fault's instant at, once per Inject.
func (s *Server) strike(at time.Time) {
	s.hookMu.Lock()
	f, already := s.onStrike, s.struck
	s.struck = true
	s.hookMu.Unlock()
	if f != nil && !already {
		f(at)
	}
}

// Close stops the running instance, if any, abruptly, and waits for it.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != nil {
		s.crash()
	}
	s.network.SetUnreachable(s.addr, false)
}

// The primitives below are what faults are made of. Each is called with
// s.mu held, through Inject.

// up starts a fresh instance.
func (s *Server) up() error {
	s.network.SetUnreachable(s.addr, false)
	lis, err := s.network.Listen(s.addr)
	if err != nil {
		return err
	}
	r := &running{Instance: s.build(), lis: lis, served: make(chan struct{})}
	if r.Aged == nil {
		go func() {
			defer close(r.served)
			r.GRPC.Serve(lis) // returns when the instance is stopped
		}()
	} else {
		r.split = NewSplitter(lis)
		var wg sync.WaitGroup
		wg.Add(3)
		go func() { defer wg.Done(); r.split.Dispatch() }()
		go func() { defer wg.Done(); r.Aged.Serve(r.split.Aged()) }()
		go func() { defer wg.Done(); r.GRPC.Serve(r.split.Fresh()) }()
		go func() {
			wg.Wait()
			close(r.served)
		}()
	}
	s.current = r
	s.gens++
	s.started = append(s.started, time.Now())
	return nil
}

// crash kills the instance: every connection is reset (no GOAWAY reaches
// anyone), the listener is gone, dials are refused.
func (s *Server) crash() {
	r := s.current
	s.current = nil
	r.lis.Close()
	for _, c := range r.lis.Conns() {
		c.Reset()
	}
	r.stop()
	<-r.served
}

// stop stops the instance's gRPC servers at once.
func (r *running) stop() {
	r.GRPC.Stop()
	if r.Aged != nil {
		r.Aged.Stop()
	}
}

// drain starts a graceful stop: the listener closes at once and GOAWAY goes
// out on every connection, while in-flight RPCs may finish. It returns a
// function that ends the instance for good, forcing what is still running,
// as a supervisor does when the process overstays its grace period: the
// connections it still holds are closed, as the kernel closes a killed
// process's sockets. grpc.Server.Stop alone would first wait for every
// handshake under way, which a client whose preface is still on the wire
// keeps going for gRPC's connection timeout of 120 s, and the server would
// come back that late.
func (s *Server) drain() (kill func()) {
	r := s.current
	s.current = nil
	if r.Drain != nil {
		r.Drain()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if r.Aged == nil {
			r.GRPC.GracefulStop()
			return
		}
		aged := make(chan struct{})
		go func() {
			defer close(aged)
			r.Aged.GracefulStop()
		}()
		r.GRPC.GracefulStop()
		<-aged
	}()
	return func() {
		for _, c := range r.lis.Conns() {
			c.Close()
		}
		r.stop()
		<-done
		<-r.served
	}
}

// move makes the server's next instance listen at the address SetMove
// gave, after calling its announce hook; the old address is left to
// whatever the fault does with it. The next move goes back: a server
// moves between its two addresses.
func (s *Server) move() error {
	s.hookMu.Lock()
	to, announce := s.moveTo, s.announce
	if to == "" {
		s.hookMu.Unlock()
		return fmt.Errorf("netsim: move: the server at %s has nowhere to move (Server.SetMove)", s.addr)
	}
	s.moveTo, s.addr = s.addr, to
	s.hookMu.Unlock()
	if announce != nil {
		announce(to)
	}
	return nil
}

// vanish makes the host disappear: its connections turn into blackholes,
// new dials hang, and the instance dies without anyone hearing of it. Its
// own ends of the connections die with it, silently: a handshake under way
// fails at once instead of holding up grpc.Server.Stop.
func (s *Server) vanish() {
	s.network.SetUnreachable(s.addr, true)
	r := s.current
	s.current = nil
	for _, c := range r.lis.Conns() {
		c.Blackhole()
		c.Close() // the peer hears nothing of it through the blackhole
	}
	r.lis.Close()
	r.stop()
	<-r.served
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
