//go:build go1.25

package netsim

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// events is an Observer that keeps what it is told.
type events struct {
	dials   []Dial
	gaveUps []ConnInfo
}

func (e *events) DialEnded(d Dial)    { e.dials = append(e.dials, d) }
func (e *events) GaveUp(c ConnInfo)   { e.gaveUps = append(e.gaveUps, c) }
func (e *events) outcomes() []Outcome { return outcomesOf(e.dials) }

func outcomesOf(ds []Dial) []Outcome {
	var o []Outcome
	for _, d := range ds {
		o = append(o, d.Outcome)
	}
	return o
}

func TestDialOutcomes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Local)
		defer n.Close()
		var ev events
		n.Observe(&ev)
		lis, err := n.Listen("server:1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Listen("server:1"); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("second listen at the same address: %v, want EADDRINUSE", err)
		}
		go func() {
			for {
				c, err := lis.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()

		c, err := n.Dial(context.Background(), "server:1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Dial(context.Background(), "nobody:1"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial to nothing: %v, want ECONNREFUSED", err)
		}
		n.SetUnreachable("server:1", true)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		start := time.Now()
		if _, err := n.Dial(ctx, "server:1"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("dial to an unreachable address: %v, want the context's deadline", err)
		}
		cancel()
		if got := time.Since(start); got != 20*time.Second {
			t.Errorf("unreachable dial returned after %v, want when its context ended (20s)", got)
		}
		n.SetUnreachable("server:1", false)
		time.Sleep(time.Second)
		c.Close()

		want := []Outcome{Accepted, Refused, TimedOut}
		if got := outcomesOf(n.Dials()); !equalOutcomes(got, want) {
			t.Errorf("Dials() outcomes %v, want %v", got, want)
		}
		if got := ev.outcomes(); !equalOutcomes(got, want) {
			t.Errorf("observed outcomes %v, want %v", got, want)
		}
		d := n.Dials()[2]
		if d.End.Sub(d.Start) != 20*time.Second || d.Addr != "server:1" {
			t.Errorf("timed-out dial recorded as %+v", d)
		}
		conns := n.Conns()
		if len(conns) != 1 || conns[0].Closed.Sub(conns[0].Opened) != 21*time.Second {
			t.Errorf("Conns() = %+v, want one connection given up 21s after it opened", conns)
		}
		if len(ev.gaveUps) != 1 || ev.gaveUps[0].Local != conns[0].Local {
			t.Errorf("observed give-ups %+v, want the one client connection", ev.gaveUps)
		}
	})
}

func equalOutcomes(a, b []Outcome) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestListenerClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Local)
		defer n.Close()
		lis, _ := n.Listen("server:1")
		accepted := make(chan error, 1)
		go func() {
			_, err := lis.Accept()
			accepted <- err
		}()
		synctest.Wait()
		lis.Close()
		if err := <-accepted; !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
		if _, err := n.Dial(context.Background(), "server:1"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial after the listener closed: %v, want ECONNREFUSED", err)
		}
		// The address is free again.
		lis2, err := n.Listen("server:1")
		if err != nil {
			t.Fatalf("listen again after close: %v", err)
		}
		lis2.Close()
	})
}

func TestNetworkClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Local)
		n.Listen("server:1")
		n.SetUnreachable("gone:1", true)
		hung := make(chan error, 1)
		go func() {
			_, err := n.Dial(context.Background(), "gone:1")
			hung <- err
		}()
		synctest.Wait()
		n.Close()
		if err := <-hung; !errors.Is(err, net.ErrClosed) {
			t.Errorf("pending dial when the network closed: %v, want net.ErrClosed", err)
		}
		if _, err := n.Dial(context.Background(), "server:1"); !errors.Is(err, net.ErrClosed) {
			t.Errorf("dial on a closed network: %v", err)
		}
		if _, err := n.Listen("server:2"); !errors.Is(err, net.ErrClosed) {
			t.Errorf("listen on a closed network: %v", err)
		}
	})
}

func TestLookups(t *testing.T) {
	for _, name := range []string{"local", "lan", "wan"} {
		if p, err := LookupProfile(name); err != nil || p.Name != name {
			t.Errorf("LookupProfile(%q) = %v, %v", name, p, err)
		}
	}
	if _, err := LookupProfile("moon"); err == nil || !strings.Contains(err.Error(), `"moon"`) || !strings.Contains(err.Error(), "local, lan, wan") {
		t.Errorf("LookupProfile(moon) error %v, want one naming the value and the valid profiles", err)
	}
	want := []string{"blackhole", "crash", "flap", "graceful", "move", "rolling", "rotate"}
	if got := FaultNames(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("FaultNames() = %v, want %v", got, want)
	}
	for _, name := range want {
		if f, err := LookupFault(name); err != nil || f.Name() != name {
			t.Errorf("LookupFault(%q) = %v, %v", name, f, err)
		}
	}
	if _, err := LookupFault("meteor"); err == nil || !strings.Contains(err.Error(), "blackhole, crash, flap, graceful, move, rolling, rotate") {
		t.Errorf("LookupFault(meteor) error %v, want one listing the valid faults", err)
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{Pending: "pending", Accepted: "accepted", Refused: "refused", TimedOut: "timed-out", 9: "Outcome(9)"} {
		if o.String() != want {
			t.Errorf("Outcome(%d) = %q, want %q", int(o), o.String(), want)
		}
	}
}

// TestDialCancelledInHandshake: a dial whose context ends during the round
// trip fails with the context's error, makes no connection, and is recorded
// as timed out: something listened, so it was not refused.
func TestDialCancelledInHandshake(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(WAN)
		defer n.Close()
		lis, _ := n.Listen("server:1")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if _, err := n.Dial(ctx, "server:1"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("dial cut short by its context: %v", err)
		}
		if got := len(lis.Conns()); got != 0 {
			t.Errorf("listener has %d connections, want none", got)
		}
		if got := len(n.Conns()); got != 0 {
			t.Errorf("network has %d connections, want none", got)
		}
		d := n.Dials()[0]
		if d.Outcome != TimedOut || d.End.Sub(d.Start) != 10*time.Millisecond {
			t.Errorf("dial recorded as %+v, want timed out after 10ms", d)
		}
	})
}

// TestBacklog: dials queue at a listener nobody accepts from until the
// backlog is full, then are refused; closing the listener resets the queued
// ones.
func TestBacklog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Local)
		defer n.Close()
		lis, _ := n.Listen("server:1")
		var queued []net.Conn
		for i := range backlog {
			c, err := n.Dial(context.Background(), "server:1")
			if err != nil {
				t.Fatalf("dial %d of a backlog of %d: %v", i+1, backlog, err)
			}
			defer c.Close()
			queued = append(queued, c)
		}
		if _, err := n.Dial(context.Background(), "server:1"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial beyond the backlog: %v, want ECONNREFUSED", err)
		}
		if got := len(lis.Conns()); got != backlog {
			t.Errorf("listener has %d connections, want %d", got, backlog)
		}
		ds := n.Dials()
		if last := ds[len(ds)-1]; last.Outcome != Refused {
			t.Errorf("dial beyond the backlog recorded as %v", last.Outcome)
		}
		// Accepting one makes room for one more.
		accepted, err := lis.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer accepted.Close()
		late, err := n.Dial(context.Background(), "server:1")
		if err != nil {
			t.Fatalf("dial after an Accept made room: %v", err)
		}
		defer late.Close()
		lis.Close()
		accepted.Write([]byte("x")) // accepted is the server end of queued[0]
		if _, err := queued[0].Read(make([]byte, 1)); err != nil {
			t.Errorf("accepted connection after its listener closed: %v, want it left alone", err)
		}
		if _, err := queued[1].Read(make([]byte, 1)); !IsReset(err) {
			t.Errorf("queued connection when its listener closed: %v, want a reset", err)
		}
		if _, err := late.Write([]byte("x")); !IsReset(err) {
			t.Errorf("write on a queued connection after its listener closed: %v, want a reset", err)
		}
	})
}

// TestConnsAndGaveUp: Conns lists client ends in dial order with the time
// each was closed by the client; closing the server end is not the client
// giving up.
func TestConnsAndGaveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(LAN)
		defer n.Close()
		var ev events
		n.Observe(&ev)
		lis, _ := n.Listen("server:1")
		dial := func() (net.Conn, net.Conn) {
			c, err := n.Dial(context.Background(), "server:1")
			if err != nil {
				t.Fatal(err)
			}
			s, err := lis.Accept()
			if err != nil {
				t.Fatal(err)
			}
			return c, s
		}
		t0 := time.Now()
		c1, s1 := dial() // opened at 2ms, after the round trip
		time.Sleep(time.Second)
		c2, s2 := dial()
		defer c2.Close()
		defer s2.Close()
		s1.Close()
		if len(ev.gaveUps) != 0 {
			t.Errorf("closing the server end was reported as a give-up: %+v", ev.gaveUps)
		}
		time.Sleep(time.Second)
		c1.Close()
		c1.Close() // only the first close counts

		conns := n.Conns()
		if len(conns) != 2 {
			t.Fatalf("Conns() = %+v, want 2", conns)
		}
		first, second := conns[0], conns[1]
		if first.Local != Addr(c1.LocalAddr().String()) || first.Remote != "server:1" ||
			first.Opened.Sub(t0) != 2*time.Millisecond || first.Closed.Sub(t0) != 2*time.Second+4*time.Millisecond {
			t.Errorf("first connection %+v, want %v opened at +2ms and closed at +2.004s", first, c1.LocalAddr())
		}
		if second.Local != Addr(c2.LocalAddr().String()) || !second.Closed.IsZero() {
			t.Errorf("second connection %+v, want %v still open", second, c2.LocalAddr())
		}
		if len(ev.gaveUps) != 1 || ev.gaveUps[0] != first {
			t.Errorf("observed give-ups %+v, want exactly %+v", ev.gaveUps, first)
		}
		if got := ev.outcomes(); !equalOutcomes(got, []Outcome{Accepted, Accepted}) {
			t.Errorf("observed dials %v", got)
		}
	})
}

// TestNetworkCloseListenersAndConns: closing the network ends Accept on its
// listeners, leaves established connections working, and is idempotent.
func TestNetworkCloseListenersAndConns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Local)
		lis, _ := n.Listen("server:1")
		c, err := n.Dial(context.Background(), "server:1")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, _ := lis.Accept()
		defer s.Close()
		accepted := make(chan error, 1)
		go func() {
			_, err := lis.Accept()
			accepted <- err
		}()
		synctest.Wait()
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
		if err := n.Close(); err != nil {
			t.Errorf("second Network.Close: %v", err)
		}
		if err := <-accepted; !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept when the network closed: %v, want net.ErrClosed", err)
		}
		if err := lis.Close(); err != nil {
			t.Errorf("closing an already closed listener: %v", err)
		}
		io.WriteString(c, "still here")
		buf := make([]byte, 10)
		if _, err := io.ReadFull(s, buf); err != nil || string(buf) != "still here" {
			t.Errorf("connection after the network closed: %q, %v; want it still working", buf, err)
		}
		if lis.Addr().String() != "server:1" || lis.Addr().Network() != "netsim" {
			t.Errorf("listener address %v on %q", lis.Addr(), lis.Addr().Network())
		}
	})
}

func TestProfiles(t *testing.T) {
	got := Profiles()
	if len(got) != 3 || got[0] != Local || got[1] != LAN || got[2] != WAN {
		t.Fatalf("Profiles() = %v, want local, lan, wan", got)
	}
	got[0].Name = "changed"
	if Profiles()[0].Name != "local" {
		t.Error("Profiles() returns the registry itself, not a copy")
	}
	for _, tc := range []struct {
		p    Profile
		want string
	}{
		{Local, "local (no latency, unlimited bandwidth)"},
		{LAN, "lan (1ms one way, 100 Mbit/s)"},
		{WAN, "wan (30ms one way, 20 Mbit/s)"},
		{Profile{Name: "far", Latency: time.Second}, "far (1s one way, unlimited bandwidth)"},
	} {
		if s := tc.p.String(); s != tc.want {
			t.Errorf("String() = %q, want %q", s, tc.want)
		}
	}
	if New(WAN).Link() != WAN {
		t.Error("Link() is not the profile the network was made with")
	}
}

func TestFaults(t *testing.T) {
	fs := Faults()
	names := FaultNames()
	if len(fs) != len(names) {
		t.Fatalf("%d faults but %d names", len(fs), len(names))
	}
	for i, f := range fs {
		if f.Name() != names[i] {
			t.Errorf("fault %d is %q, name list says %q", i, f.Name(), names[i])
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("FaultNames() = %v, not sorted", names)
	}
}
