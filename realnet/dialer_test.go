package realnet_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/realnet"
)

type observed struct {
	dials  []netsim.Dial
	gaveUp []netsim.ConnInfo
}

func (o *observed) DialEnded(d netsim.Dial)  { o.dials = append(o.dials, d) }
func (o *observed) GaveUp(c netsim.ConnInfo) { o.gaveUp = append(o.gaveUp, c) }

func TestDialerRecords(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := closed.Addr().String()
	closed.Close()

	var d realnet.Dialer
	var o observed
	d.Observe(&o)
	ctx := context.Background()
	c, err := d.Dial(ctx, lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Dial(ctx, refusing); err == nil {
		t.Fatalf("dial %s: nothing listens there, but it succeeded", refusing)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.Dial(cancelled, lis.Addr().String()); err == nil {
		t.Fatal("dial with an ended context succeeded")
	}
	if got := d.Conns(); len(got) != 1 || !got[0].Closed.IsZero() {
		t.Fatalf("before Close: Conns() = %+v, want one open connection", got)
	}
	before := time.Now()
	c.Close()
	c.Close() // a second close is not a second give-up

	want := []netsim.Outcome{netsim.Accepted, netsim.Refused, netsim.TimedOut}
	dials := d.Dials()
	if len(dials) != len(want) {
		t.Fatalf("Dials() has %d records, want %d", len(dials), len(want))
	}
	for i, dl := range dials {
		if dl.Outcome != want[i] || dl.End.Before(dl.Start) {
			t.Errorf("dial %d: %v from %v to %v, want %v", i, dl.Outcome, dl.Start, dl.End, want[i])
		}
	}
	conns := d.Conns()
	if len(conns) != 1 || conns[0].Closed.Before(before) || conns[0].Local != netsim.Addr(c.LocalAddr().String()) {
		t.Fatalf("after Close: Conns() = %+v, want one connection from %v closed after %v", conns, c.LocalAddr(), before)
	}
	if len(o.dials) != 3 || len(o.gaveUp) != 1 {
		t.Fatalf("observer saw %d dials and %d give-ups, want 3 and 1", len(o.dials), len(o.gaveUp))
	}
}
