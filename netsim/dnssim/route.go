package dnssim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"

	"github.com/reconnbench/reconnbench/netsim"
)

// route is where the queries for one zone go.
type route struct {
	network *netsim.Network
	addr    netsim.Addr
}

// routes maps zone origins to their servers, process-wide: the hook on
// net.DefaultResolver is process-wide too. Each bubble serves zones of its
// own, under names no other bubble uses.
var routes = struct {
	sync.Mutex
	m map[string]route
}{m: make(map[string]route)}

func register(origin string, r route) (unregister func(), err error) {
	routes.Lock()
	defer routes.Unlock()
	if _, ok := routes.m[origin]; ok {
		return nil, fmt.Errorf("dnssim: a server is already registered for %s", origin)
	}
	routes.m[origin] = r
	var once sync.Once
	return func() {
		once.Do(func() {
			routes.Lock()
			delete(routes.m, origin)
			routes.Unlock()
		})
	}, nil
}

// lookupRoute finds the server of the longest registered origin that name is
// in.
func lookupRoute(name string) (route, bool) {
	name = strings.ToLower(dns.Fqdn(name))
	routes.Lock()
	defer routes.Unlock()
	for {
		if r, ok := routes.m[name]; ok {
			return r, true
		}
		i := strings.IndexByte(name, '.')
		if i < 0 || i == len(name)-1 {
			return route{}, false
		}
		name = name[i+1:]
	}
}

var (
	installOnce sync.Once
	installed   atomic.Bool
	installErr  error
	// dials counts the hook's dials: the warm-up checks that lookups reach it.
	dials atomic.Int64
)

// warmupName is looked up once, outside any bubble, by
// InstallDefaultResolver. No zone has it.
const warmupName = "warmup.dnssim.invalid."

// InstallDefaultResolver makes net.DefaultResolver the Go resolver (PreferGo)
// with a Dial that sends each query to the netsim DNS server registered for
// the zone of the name it asks (see Serve). A query for a name in no
// registered zone fails: the hook never dials the real network. It changes
// the fields of the *net.DefaultResolver that exists, not the variable:
// gRPC-Go releases up to v1.6x copied the pointer at init.
//
// Call it once, from TestMain or another place outside every synctest
// bubble, before any lookup: the net package creates, on its first lookup,
// channels that every later lookup uses (the semaphores guarding
// /etc/resolv.conf and /etc/nsswitch.conf reloads), and channels created
// inside a bubble cannot be used from another. InstallDefaultResolver does
// that first lookup itself, and fails if it did not reach the hook (hosts
// resolved without DNS, as by an nsswitch.conf without dns).
func InstallDefaultResolver() error {
	installOnce.Do(func() {
		net.DefaultResolver.PreferGo = true
		net.DefaultResolver.Dial = dialRoute
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		before := dials.Load()
		_, err := net.DefaultResolver.LookupHost(ctx, warmupName)
		if err == nil {
			installErr = fmt.Errorf("dnssim: the warm-up lookup of %s found addresses", warmupName)
		} else if dials.Load() == before {
			installErr = fmt.Errorf("dnssim: the warm-up lookup of %s never dialled the hook (%v): DNS is not consulted", warmupName, err)
		}
		// Also the first TXT lookup, which gRPC-Go makes for service configs.
		net.DefaultResolver.LookupTXT(ctx, warmupName)
		installed.Store(true)
	})
	return installErr
}

// Installed reports whether InstallDefaultResolver has run, and how it
// ended: nil if the hook is in place; an error if it was never called
// (a lookup inside a bubble would then break every later bubble, so
// nothing may look up before it) or failed.
func Installed() error {
	if !installed.Load() {
		return errors.New("dnssim: InstallDefaultResolver was not called (call it once, outside every synctest bubble, before any lookup: from TestMain)")
	}
	return installErr
}

// dialRoute is net.DefaultResolver's Dial. It ignores the nameserver from
// /etc/resolv.conf: the connection it returns dials on its first write,
// once the query names the zone.
func dialRoute(ctx context.Context, network, address string) (net.Conn, error) {
	dials.Add(1)
	return &routeConn{ctx: ctx, nameserver: address}, nil
}

var errNoZone = errors.New("dnssim: no DNS server is registered for the name")

// routeConn is a DNS connection to the server of the zone its first query
// is about. It is not a net.PacketConn, so the Go resolver frames its
// messages as over TCP: a two-byte length, then the message.
type routeConn struct {
	ctx        context.Context
	nameserver string

	mu      sync.Mutex
	conn    net.Conn // nil until the first query is complete
	pending []byte
	rd, wd  time.Time
	closed  bool
}

func (c *routeConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return 0, net.ErrClosed
	}
	if conn := c.conn; conn != nil {
		c.mu.Unlock()
		return conn.Write(b)
	}
	c.pending = append(c.pending, b...)
	if len(c.pending) < 2 || len(c.pending) < 2+(int(c.pending[0])<<8|int(c.pending[1])) {
		c.mu.Unlock()
		return len(b), nil // the query is not complete yet
	}
	msg := c.pending[2 : 2+(int(c.pending[0])<<8|int(c.pending[1]))]
	var q dns.Msg
	if err := q.Unpack(msg); err != nil || len(q.Question) == 0 {
		c.mu.Unlock()
		return 0, fmt.Errorf("dnssim: cannot parse the query: %v", err)
	}
	name := q.Question[0].Name
	r, ok := lookupRoute(name)
	if !ok {
		c.mu.Unlock()
		return 0, &net.OpError{Op: "write", Net: "dnssim", Err: fmt.Errorf("%w: %s", errNoZone, name)}
	}
	c.mu.Unlock()
	// Dial without the lock: it takes the link's round trip.
	conn, err := r.network.Dial(c.ctx, r.addr)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		conn.Close()
		return 0, net.ErrClosed
	}
	c.conn = conn
	conn.SetReadDeadline(c.rd)
	conn.SetWriteDeadline(c.wd)
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	if _, err := conn.Write(pending); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (c *routeConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	conn, closed := c.conn, c.closed
	c.mu.Unlock()
	if closed {
		return 0, net.ErrClosed
	}
	if conn == nil {
		return 0, errors.New("dnssim: read before a query was written")
	}
	return conn.Read(b)
}

func (c *routeConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.conn != nil {
		return c.conn.Close()
	}
	return nil
}

func (c *routeConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *routeConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rd = t
	if c.conn != nil {
		return c.conn.SetReadDeadline(t)
	}
	return nil
}

func (c *routeConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wd = t
	if c.conn != nil {
		return c.conn.SetWriteDeadline(t)
	}
	return nil
}

func (c *routeConn) LocalAddr() net.Addr { return netsim.Addr("dnssim-client") }

func (c *routeConn) RemoteAddr() net.Addr { return netsim.Addr(c.nameserver) }
