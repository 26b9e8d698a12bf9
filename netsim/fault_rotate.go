package netsim

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/net/http2"
)

// Rotate is a server ending its client's connection on purpose, the way a
// connection-age limit does, without restarting: the instance sends
// GOAWAY, lets the streams under way finish and closes the connection
// after a grace period, and goes on serving with the same state. New
// connections reach the same instance.
//
// It is gRPC's own mechanism, not a hand-made frame: the instance must have
// been built with Instance.Aged, a gRPC server whose
// keepalive.ServerParameters set MaxConnectionAge to Instance.MaxAge and
// MaxConnectionAgeGrace to the grace period (the downtime the fault is
// injected with: Inject then waits that long after the GOAWAY). gRPC sends
// the GOAWAY when a connection reaches its age, counted from when the
// server took the connection and jittered by gRPC by up to ±10%; then,
// after the client acknowledges a ping (or 1 min without one, 5 s from
// v1.61 on), a second GOAWAY, closing the connection at once if no stream is
// open; streams still open when the grace period ends are cut by closing
// the connection.
//
// The fault's instant is therefore not the call to Inject but the first
// GOAWAY the instance sends, which the network sees on the wire: Inject
// waits for it (the server reports it through OnStrike) and returns when
// the grace period after it has passed. Connections the instance takes
// after that are served without an age limit, so that one rotation is one
// fault. A client that closes its first connection before it comes of age
// (its idle timeout is shorter than the age) may never be rotated: if no
// GOAWAY has come by the latest moment one could have come for a
// connection taken when the instance started (its age plus 10%, plus a
// second for the handshake), the fault strikes then, having rotated
// nothing (Server.RotatedNothing), and the instance serves on without an
// age limit for new connections.
type Rotate struct{}

func init() { register(Rotate{}) }

// Name returns "rotate".
func (Rotate) Name() string { return "rotate" }

func (Rotate) strikesLater() {}

// Inject implements Fault.
func (Rotate) Inject(ctx context.Context, s *Server, grace time.Duration) error {
	r := s.current
	if r.split == nil {
		return fmt.Errorf("netsim: rotate: the instance at %s has no connection-age limit (Instance.Aged)", s.addr)
	}
	at, err := r.split.WaitRotation(ctx, r.MaxAge)
	if err != nil {
		return err
	}
	s.strike(at)
	return sleep(ctx, grace-time.Since(at))
}

// RotatedNothing reports whether the instance serving now was rotated by
// Rotate without a GOAWAY: its client had let every connection go before
// one came of age.
func (s *Server) RotatedNothing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || s.current.split == nil {
		return false
	}
	return s.current.split.RotatedNothing()
}

// ageSlack is how much later than its age limit, jitter included, a
// connection's GOAWAY may come: the server starts counting once it has
// read the client's preface.
const ageSlack = time.Second

// Splitter is the listener side of an instance that rotates its client's
// connection once (Rotate): it hands the connections a listener accepts to
// an aged gRPC server (one with keepalive.ServerParameters'
// MaxConnectionAge) until that server's first GOAWAY, and to a fresh
// server after. It sees the GOAWAY on the wire, in the frames the aged
// server writes. It works on any net.Listener: a netsim.Server splits its
// instances' listeners with it, and package realnet a server process's
// TCP listener.
//
// The aged server's connections are wrapped (to read what it writes), so
// gRPC does not recognise them as *net.TCPConn and sets no TCP user
// timeout on them; on loopback that changes nothing.
type Splitter struct {
	lis         net.Listener
	aged, fresh *subListener
	started     time.Time
	rotatedCh   chan struct{} // closed at the first GOAWAY
	mu          sync.Mutex
	rotated     bool
	nothing     bool // rotated without a GOAWAY
	rotatedAt   time.Time
}

// NewSplitter splits the connections lis accepts from now on; call
// Dispatch to start accepting.
func NewSplitter(lis net.Listener) *Splitter {
	return &Splitter{
		lis:       lis,
		aged:      newSubListener(lis),
		fresh:     newSubListener(lis),
		started:   time.Now(),
		rotatedCh: make(chan struct{}),
	}
}

// Aged is the listener of the server with the age limit: it gets every
// connection accepted before the first GOAWAY. Closing it (or Fresh)
// closes the listener they share, as stopping a server with one listener
// does.
func (sp *Splitter) Aged() net.Listener { return sp.aged }

// Fresh is the listener of the server without an age limit: it gets every
// connection accepted after the first GOAWAY.
func (sp *Splitter) Fresh() net.Listener { return sp.fresh }

// Dispatch accepts connections until the listener closes, then closes
// Aged and Fresh.
func (sp *Splitter) Dispatch() {
	defer sp.aged.Close()
	defer sp.fresh.Close()
	for {
		c, err := sp.lis.Accept()
		if err != nil {
			return
		}
		sp.mu.Lock()
		rotated := sp.rotated
		sp.mu.Unlock()
		if rotated {
			sp.fresh.deliver(c)
		} else {
			sp.aged.deliver(&goAwayWatch{Conn: c, sp: sp})
		}
	}
}

// rotate records the first GOAWAY, at at, or (nothing) the moment it is
// clear that none will come for the instance's first connection; from
// then on connections go to the fresh server.
func (sp *Splitter) rotate(at time.Time, nothing bool) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.rotated {
		return
	}
	sp.rotated, sp.rotatedAt, sp.nothing = true, at, nothing
	close(sp.rotatedCh)
}

// WaitRotation waits for the aged server's first GOAWAY and returns when
// it was sent, or, if none came for a connection taken when the splitter
// was made, with the server's age limit maxAge, rotates nothing at the
// latest moment one could have come (its age plus 10%, plus a second for
// the handshake) and returns that moment. It returns early with ctx's
// error.
func (sp *Splitter) WaitRotation(ctx context.Context, maxAge time.Duration) (time.Time, error) {
	t := time.NewTimer(time.Until(sp.started.Add(maxAge + maxAge/10 + ageSlack)))
	defer t.Stop()
	select {
	case <-sp.rotatedCh:
	case <-t.C:
		sp.rotate(time.Now(), true)
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.rotatedAt, nil
}

// RotatedNothing reports whether the splitter has rotated without a
// GOAWAY (WaitRotation ran out).
func (sp *Splitter) RotatedNothing() bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.rotated && sp.nothing
}

// goAwayWatch is the server end of a connection of the aged server. It
// follows the HTTP/2 frames the server writes, reading only their headers
// (with x/net/http2, as gRPC itself does), and tells the splitter about
// the first GOAWAY before it goes on the wire, so that a client that
// reconnects on reading it reaches the fresh server.
type goAwayWatch struct {
	net.Conn
	sp   *Splitter
	hdr  [9]byte // a frame header being read
	n    int     // bytes of hdr read
	skip uint32  // payload bytes of the current frame still to pass
}

// Write implements net.Conn.
func (w *goAwayWatch) Write(b []byte) (int, error) {
	w.scan(b)
	return w.Conn.Write(b)
}

// scan follows the frames in b: a server's side of an HTTP/2 connection
// is frames from its first byte (its preface is a SETTINGS frame).
func (w *goAwayWatch) scan(b []byte) {
	for len(b) > 0 {
		if w.skip > 0 {
			n := min(uint32(len(b)), w.skip)
			w.skip -= n
			b = b[n:]
			continue
		}
		n := copy(w.hdr[w.n:], b)
		w.n += n
		b = b[n:]
		if w.n < len(w.hdr) {
			return
		}
		w.n = 0
		fh, err := http2.ReadFrameHeader(bytes.NewReader(w.hdr[:]))
		if err != nil {
			return // cannot happen with 9 bytes
		}
		if fh.Type == http2.FrameGoAway {
			w.sp.rotate(time.Now(), false)
		}
		w.skip = fh.Length
	}
}

// subListener is one server's share of a listener's connections.
type subListener struct {
	parent net.Listener
	conns  chan net.Conn
	done   chan struct{}
	once   sync.Once
}

func newSubListener(parent net.Listener) *subListener {
	return &subListener{parent: parent, conns: make(chan net.Conn), done: make(chan struct{})}
}

// deliver hands c to the server, or closes it if the server is gone.
func (l *subListener) deliver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

// Accept implements net.Listener.
func (l *subListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		addr := l.parent.Addr()
		return nil, &net.OpError{Op: "accept", Net: addr.Network(), Addr: addr, Err: net.ErrClosed}
	}
}

// Close implements net.Listener. A server stops its listeners only when
// the instance goes down, so it closes the instance's listener too: dials
// are refused from then on, as for a server with one listener.
func (l *subListener) Close() error {
	l.once.Do(func() {
		close(l.done)
		l.parent.Close()
	})
	return nil
}

// Addr implements net.Listener.
func (l *subListener) Addr() net.Addr { return l.parent.Addr() }
