package realnet

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
)

// Dialer dials TCP and records every attempt and every connection it made,
// in netsim's record types. The zero value is ready to use.
type Dialer struct {
	mu       sync.Mutex
	dials    []netsim.Dial
	conns    []*conn
	observer netsim.Observer
}

// Observe makes o the dialer's observer. Its methods run with the dialer
// locked: they must not call back into it.
func (d *Dialer) Observe(o netsim.Observer) {
	d.mu.Lock()
	d.observer = o
	d.mu.Unlock()
}

// Dial connects to addr over TCP. A refusal, or any failure other than ctx
// ending, is recorded as netsim.Refused; ctx ending first as
// netsim.TimedOut.
func (d *Dialer) Dial(ctx context.Context, addr string) (net.Conn, error) {
	d.mu.Lock()
	i := len(d.dials)
	d.dials = append(d.dials, netsim.Dial{Addr: netsim.Addr(addr), Start: time.Now()})
	d.mu.Unlock()

	var nd net.Dialer
	c, err := nd.DialContext(ctx, "tcp", addr)

	d.mu.Lock()
	defer d.mu.Unlock()
	rec := &d.dials[i]
	rec.End = time.Now()
	switch {
	case err == nil:
		rec.Outcome = netsim.Accepted
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		rec.Outcome = netsim.TimedOut
	default:
		rec.Outcome = netsim.Refused
	}
	if d.observer != nil {
		d.observer.DialEnded(*rec)
	}
	if err != nil {
		return nil, err
	}
	rc := &conn{Conn: c, d: d, info: netsim.ConnInfo{
		Local:  netsim.Addr(c.LocalAddr().String()),
		Remote: netsim.Addr(c.RemoteAddr().String()),
		Opened: rec.End,
	}}
	d.conns = append(d.conns, rc)
	return rc, nil
}

// Dials returns a copy of every dial attempt so far, in the order they began.
func (d *Dialer) Dials() []netsim.Dial {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]netsim.Dial(nil), d.dials...)
}

// Conns returns every connection made so far, in the order they were made;
// Closed is when the client closed it, that is, gave it up.
func (d *Dialer) Conns() []netsim.ConnInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	infos := make([]netsim.ConnInfo, len(d.conns))
	for i, c := range d.conns {
		infos[i] = c.info
	}
	return infos
}

// conn is a client connection that tells its Dialer when it is closed.
type conn struct {
	net.Conn
	d    *Dialer
	once sync.Once
	info netsim.ConnInfo // guarded by d.mu
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.d.mu.Lock()
		defer c.d.mu.Unlock()
		c.info.Closed = time.Now()
		if c.d.observer != nil {
			c.d.observer.GaveUp(c.info)
		}
	})
	return err
}
