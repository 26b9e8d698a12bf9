package netsim

import (
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// Addr is a netsim address: a name such as "server:443" on network "netsim".
type Addr string

// Network returns "netsim".
func (Addr) Network() string { return "netsim" }

func (a Addr) String() string { return string(a) }

// Conn is one end of an in-memory connection. It implements net.Conn,
// deadlines included, and can be reset or blackholed as a whole.
type Conn struct {
	network       *Network
	client        bool
	local, remote Addr
	rp, wp        *pipe // read from rp, write to wp
	peer          *Conn

	closeOnce sync.Once
	opened    time.Time
	closed    time.Time // guarded by network.mu
}

// newPair returns the two ends of a connection shaped by link.
func newPair(n *Network, link Profile, client, server Addr) (c, s *Conn) {
	up, down := newPipe(link), newPipe(link)
	now := time.Now()
	c = &Conn{network: n, client: true, local: client, remote: server, rp: down, wp: up, opened: now}
	s = &Conn{network: n, local: server, remote: client, rp: up, wp: down, opened: now}
	c.peer, s.peer = s, c
	return c, s
}

func (c *Conn) opError(op string, err error) error {
	if err == io.EOF {
		return io.EOF // as net.Conn implementations do
	}
	return &net.OpError{Op: op, Net: "netsim", Source: c.local, Addr: c.remote, Err: err}
}

// Read implements net.Conn.
func (c *Conn) Read(b []byte) (int, error) {
	n, err := c.rp.Read(b)
	if err != nil {
		err = c.opError("read", err)
	}
	return n, err
}

// Write implements net.Conn.
func (c *Conn) Write(b []byte) (int, error) {
	n, err := c.wp.Write(b)
	if err != nil {
		err = c.opError("write", err)
	}
	return n, err
}

// Close implements net.Conn. The peer reads io.EOF once it has drained what
// was sent, unless the connection is blackholed.
func (c *Conn) Close() error {
	err := c.opError("close", net.ErrClosed)
	c.closeOnce.Do(func() {
		err = nil
		c.rp.closeRead(net.ErrClosed)
		c.wp.closeWrite(net.ErrClosed)
		c.network.noteClose(c)
	})
	return err
}

// Reset tears the connection down abruptly, as a RST from a dying host does:
// both ends fail their pending and future reads and writes with
// ECONNRESET, and buffered bytes are lost.
func (c *Conn) Reset() {
	c.rp.reset(syscall.ECONNRESET)
	c.wp.reset(syscall.ECONNRESET)
}

// Blackhole makes the connection silently drop every byte in both
// directions from now on, as when a host vanishes from the network: writes
// still succeed, reads wait for data that never comes, and closing one end
// is never seen by the other. Only deadlines and keepalives notice.
func (c *Conn) Blackhole() {
	c.rp.blackhole()
	c.wp.blackhole()
}

// LocalAddr implements net.Conn.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr implements net.Conn.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline implements net.Conn. Like a closed socket's, a closed Conn's
// deadlines cannot be set: that fails with net.ErrClosed.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.rp.setReadDeadline(t); err != nil {
		return c.opError("set", err)
	}
	if err := c.wp.setWriteDeadline(t); err != nil {
		return c.opError("set", err)
	}
	return nil
}

// SetReadDeadline implements net.Conn.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if err := c.rp.setReadDeadline(t); err != nil {
		return c.opError("set", err)
	}
	return nil
}

// SetWriteDeadline implements net.Conn.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if err := c.wp.setWriteDeadline(t); err != nil {
		return c.opError("set", err)
	}
	return nil
}

// IsReset reports whether err is the error a reset connection returns.
func IsReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }
