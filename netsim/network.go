package netsim

import (
	"context"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"
)

// backlog is how many dialled connections may wait for Accept before further
// dials are refused, like a listen(2) backlog.
const backlog = 128

// Network is an in-memory network: listeners by address, dials between them,
// a link profile applied to every connection, and a record of every dial
// attempt and every client connection. The zero value is not usable; call
// New.
type Network struct {
	link Profile
	done chan struct{}

	mu          sync.Mutex
	listeners   map[Addr]*Listener
	unreachable map[Addr]bool
	dials       []Dial
	conns       []*Conn // client ends, in dial order
	ports       int
	closed      bool
	observer    Observer
}

// Observer is told of the network's events as they happen, in order. Its
// methods run with the network locked: they must not call back into it.
type Observer interface {
	// DialEnded is called when a dial attempt ends, with its record.
	DialEnded(Dial)
	// GaveUp is called when the client end of a connection is closed.
	GaveUp(ConnInfo)
}

// Observe makes o the network's observer.
func (n *Network) Observe(o Observer) {
	n.mu.Lock()
	n.observer = o
	n.mu.Unlock()
}

// New returns an empty network whose connections are shaped by link.
func New(link Profile) *Network {
	return &Network{
		link:        link,
		done:        make(chan struct{}),
		listeners:   make(map[Addr]*Listener),
		unreachable: make(map[Addr]bool),
	}
}

// Link returns the profile applied to the network's connections.
func (n *Network) Link() Profile { return n.link }

// Outcome is how a dial attempt ended.
type Outcome int

// Dial outcomes.
const (
	Pending  Outcome = iota // still under way
	Accepted                // a connection was established
	Refused                 // nothing listened at the address
	TimedOut                // the dial's context ended first (the address was unreachable, or the round trip outlasted it)
)

var outcomeNames = [...]string{Pending: "pending", Accepted: "accepted", Refused: "refused", TimedOut: "timed-out"}

func (o Outcome) String() string {
	if o < 0 || int(o) >= len(outcomeNames) {
		return fmt.Sprintf("Outcome(%d)", int(o))
	}
	return outcomeNames[o]
}

// Dial is the record of one dial attempt.
type Dial struct {
	Addr    Addr
	Start   time.Time
	End     time.Time // zero while Pending
	Outcome Outcome
}

// info describes c. The caller holds the network's lock.
func (c *Conn) info() ConnInfo {
	return ConnInfo{Local: c.local, Remote: c.remote, Opened: c.opened, Closed: c.closed}
}

// ConnInfo describes the client end of a connection.
type ConnInfo struct {
	Local, Remote Addr
	Opened        time.Time
	Closed        time.Time // zero while the client end is open
}

// Dials returns a copy of every dial attempt so far, in the order they began.
func (n *Network) Dials() []Dial {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Dial(nil), n.dials...)
}

// Conns returns the client ends of every connection made so far, in the
// order they were dialled. The Closed time is when the client closed its
// end, that is, when it gave the connection up.
func (n *Network) Conns() []ConnInfo {
	n.mu.Lock()
	defer n.mu.Unlock()
	infos := make([]ConnInfo, len(n.conns))
	for i, c := range n.conns {
		infos[i] = c.info()
	}
	return infos
}

func (n *Network) noteClose(c *Conn) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c.closed = time.Now()
	if c.client && n.observer != nil {
		n.observer.GaveUp(c.info())
	}
}

// SetUnreachable makes dials to addr hang until their context ends (on) or
// behave normally again (off), as for a host that has vanished.
func (n *Network) SetUnreachable(addr Addr, on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if on {
		n.unreachable[addr] = true
	} else {
		delete(n.unreachable, addr)
	}
}

// Listen starts listening at addr. It fails if something already listens
// there.
func (n *Network) Listen(addr Addr) (*Listener, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, &net.OpError{Op: "listen", Net: "netsim", Addr: addr, Err: net.ErrClosed}
	}
	if _, ok := n.listeners[addr]; ok {
		return nil, &net.OpError{Op: "listen", Net: "netsim", Addr: addr, Err: syscall.EADDRINUSE}
	}
	l := &Listener{network: n, addr: addr, backlog: make(chan *Conn, backlog), done: make(chan struct{})}
	n.listeners[addr] = l
	return l, nil
}

// Dial connects to addr. It takes one round trip of the link, fails at once
// with ECONNREFUSED when nothing listens at addr, and hangs until ctx ends
// when addr is unreachable. Every attempt is recorded (see Dials).
func (n *Network) Dial(ctx context.Context, addr Addr) (net.Conn, error) {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil, &net.OpError{Op: "dial", Net: "netsim", Addr: addr, Err: net.ErrClosed}
	}
	i := len(n.dials)
	n.dials = append(n.dials, Dial{Addr: addr, Start: time.Now()})
	unreachable := n.unreachable[addr]
	n.ports++
	local := Addr(fmt.Sprintf("client:%d", n.ports))
	n.mu.Unlock()

	c, err := n.dial(ctx, local, addr, unreachable)

	n.mu.Lock()
	defer n.mu.Unlock()
	d := &n.dials[i]
	d.End = time.Now()
	switch {
	case err == nil:
		d.Outcome = Accepted
		n.conns = append(n.conns, c)
	case unreachable || (ctx.Err() != nil && err == ctx.Err()):
		d.Outcome = TimedOut
	default:
		d.Outcome = Refused
	}
	if n.observer != nil {
		n.observer.DialEnded(*d)
	}
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "netsim", Source: local, Addr: addr, Err: err}
	}
	return c, nil
}

func (n *Network) dial(ctx context.Context, local, addr Addr, unreachable bool) (*Conn, error) {
	if unreachable {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-n.done:
			return nil, net.ErrClosed
		}
	}
	if rtt := 2 * n.link.Latency; rtt > 0 {
		t := time.NewTimer(rtt)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-n.done:
			return nil, net.ErrClosed
		}
	}
	n.mu.Lock()
	l := n.listeners[addr]
	n.mu.Unlock()
	if l == nil {
		return nil, syscall.ECONNREFUSED
	}
	c, s := newPair(n, n.link, local, addr)
	if !l.enqueue(s) {
		return nil, syscall.ECONNREFUSED
	}
	return c, nil
}

// Close closes every listener and makes pending and future dials fail.
// Connections already made are left to their owners.
func (n *Network) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	close(n.done)
	ls := make([]*Listener, 0, len(n.listeners))
	for _, l := range n.listeners {
		ls = append(ls, l)
	}
	n.mu.Unlock()
	for _, l := range ls {
		l.Close()
	}
	return nil
}

// Listener is a net.Listener on a Network. It keeps the server ends of the
// connections it accepted so that a fault can act on all of them.
type Listener struct {
	network *Network
	addr    Addr
	backlog chan *Conn
	done    chan struct{}

	mu     sync.Mutex
	conns  []*Conn
	closed bool
}

func (l *Listener) enqueue(s *Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	select {
	case l.backlog <- s:
		l.conns = append(l.conns, s)
		return true
	default:
		return false
	}
}

// Accept implements net.Listener.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.backlog:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: "netsim", Addr: l.addr, Err: net.ErrClosed}
	}
}

// Close stops listening: the address is free again and dials to it are
// refused. Connections dialled but not yet accepted are reset; accepted ones
// are left alone.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.done)
	l.mu.Unlock()

	l.network.mu.Lock()
	if l.network.listeners[l.addr] == l {
		delete(l.network.listeners, l.addr)
	}
	l.network.mu.Unlock()

	for {
		select {
		case c := <-l.backlog:
			c.Reset()
		default:
			return nil
		}
	}
}

// Addr implements net.Listener.
func (l *Listener) Addr() net.Addr { return l.addr }

// Conns returns the server ends of every connection dialled to this
// listener, open or not.
func (l *Listener) Conns() []*Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Conn(nil), l.conns...)
}
