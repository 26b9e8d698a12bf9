package realnet

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// upstreamDialTimeout bounds the proxy's dial to the server, so an accepted
// connection never waits forever for its other half.
const upstreamDialTimeout = 5 * time.Second

// Proxy forwards TCP connections from a loopback port to an upstream
// address, and can blackhole them.
type Proxy struct {
	lis      net.Listener
	upstream string
	wg       sync.WaitGroup // the accept loop and every pump

	mu       sync.Mutex
	silent   bool // new connections are held silent
	links    map[*link]struct{}
	closed   bool
	accepted int
}

// link is one forwarded connection: the client's socket and the proxy's
// socket to the server (nil for a connection held silent from the start).
type link struct {
	client, server net.Conn
	silent         atomic.Bool
	ended          atomic.Int32 // directions that reached an end of stream
}

// NewProxy listens on a free loopback port and forwards every connection
// to upstream.
func NewProxy(upstream string) (*Proxy, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{lis: lis, upstream: upstream, links: make(map[*link]struct{})}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address clients dial.
func (p *Proxy) Addr() string { return p.lis.Addr().String() }

// Accepted returns how many connections the proxy has accepted.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Blackhole silences every connection: from now on every byte in either
// direction is read and dropped, and neither side is closed by the other's
// close or failure; only a client that gives up closes its own socket.
// Connections accepted while blackholed are held silent too. No reset or
// FIN reaches the client, as when a host vanishes from the network.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = true
	for l := range p.links {
		l.silent.Store(true)
	}
}

// Restore forwards new connections again. Connections silenced by
// Blackhole stay silent: the host that held their state is gone.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.silent = false
	p.mu.Unlock()
}

// Close stops accepting, closes every connection and waits for the
// proxy's goroutines.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	for l := range p.links {
		l.close()
	}
	p.mu.Unlock()
	p.lis.Close()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.lis.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		p.accepted++
		silent := p.silent
		p.mu.Unlock()
		l := &link{client: c}
		if silent {
			l.silent.Store(true)
		} else if l.server, err = net.DialTimeout("tcp", p.upstream, upstreamDialTimeout); err != nil {
			reset(c) // as the server's refusal would have
			continue
		}
		if !p.add(l) {
			l.close()
			return
		}
		p.wg.Add(1)
		go p.pump(l, l.client, l.server)
		if l.server != nil {
			p.wg.Add(1)
			go p.pump(l, l.server, l.client)
		}
	}
}

func (p *Proxy) add(l *link) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.links[l] = struct{}{}
	return true
}

func (p *Proxy) remove(l *link) {
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
	l.close()
}

// pump copies src to dst until src ends. An end of stream travels on as a
// half-close and the link closes once both directions have ended; any other
// failure resets the other side. On a silent link the pump drops what it
// reads instead, and the server's side failing closes only that side: the
// client hears nothing.
func (p *Proxy) pump(l *link, src, dst net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !l.silent.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil && !l.silent.Load() {
				reset(src)
				p.remove(l)
				return
			}
		}
		if err == nil {
			continue
		}
		switch {
		case l.silent.Load() && src == l.server:
			src.Close()
		case l.silent.Load():
			p.remove(l) // the client gave up
		case err == io.EOF:
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			if l.ended.Add(1) == 2 {
				p.remove(l)
			}
		default:
			reset(dst)
			p.remove(l)
		}
		return
	}
}

func (l *link) close() {
	l.client.Close()
	if l.server != nil {
		l.server.Close()
	}
}

// reset closes c with a TCP reset rather than a FIN.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}
