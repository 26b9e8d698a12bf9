//go:build go1.25

package netsim

import (
	"context"
	"errors"
	"net"
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
	want := []string{"blackhole", "crash", "flap", "graceful"}
	if got := FaultNames(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("FaultNames() = %v, want %v", got, want)
	}
	for _, name := range want {
		if f, err := LookupFault(name); err != nil || f.Name() != name {
			t.Errorf("LookupFault(%q) = %v, %v", name, f, err)
		}
	}
	if _, err := LookupFault("meteor"); err == nil || !strings.Contains(err.Error(), "blackhole, crash, flap, graceful") {
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
