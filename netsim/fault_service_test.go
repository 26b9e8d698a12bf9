//go:build go1.25

package netsim

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"google.golang.org/grpc"
)

// dialOutcome dials addr on n and reports how the dial ended.
func dialOutcome(n *Network, addr Addr) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c, err := n.Dial(ctx, addr)
	if err == nil {
		c.Close()
	}
	return err
}

// TestMove: the new address is announced at the fault's instant, while
// the old instance still serves; then the old address refuses dials, and
// after the downtime a fresh instance serves at the new one, and Addr
// says so. A second move goes back.
func TestMove(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Local)
		defer n.Close()
		built := 0
		s, err := StartServer(n, "a:1", func() Instance { built++; return Instance{GRPC: grpc.NewServer()} })
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var announced []Addr
		from := Addr("a:1")
		s.SetMove("b:1", func(to Addr) {
			announced = append(announced, to)
			if err := dialOutcome(n, from); err != nil {
				t.Errorf("when the move to %s is announced, the old address refuses: %v", to, err)
			}
			from = to
		})
		start := time.Now()
		if err := s.Inject(context.Background(), Move{}, time.Second); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("Inject took %v, want the downtime", got)
		}
		if err := dialOutcome(n, "a:1"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial to the old address after the move: %v, want refused", err)
		}
		if err := dialOutcome(n, "b:1"); err != nil {
			t.Errorf("dial to the new address after the move: %v", err)
		}
		if s.Addr() != "b:1" || built != 2 || len(announced) != 1 || announced[0] != "b:1" {
			t.Errorf("after the move: Addr %s, %d instances built, announced %v", s.Addr(), built, announced)
		}
		if err := s.Inject(context.Background(), Move{}, time.Second); err != nil {
			t.Fatal(err)
		}
		if s.Addr() != "a:1" || len(announced) != 2 || dialOutcome(n, "a:1") != nil || !errors.Is(dialOutcome(n, "b:1"), syscall.ECONNREFUSED) {
			t.Errorf("the second move did not go back to a:1: Addr %s", s.Addr())
		}
	})
}

// TestMoveNowhere: a server without SetMove cannot move, and stays up.
func TestMoveNowhere(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, s := startServer(t)
		if err := s.Inject(context.Background(), Move{}, time.Second); err == nil {
			t.Fatal("a server with nowhere to go moved")
		}
		if err := dialOutcome(n, addr); err != nil {
			t.Errorf("the server is down after a move that failed: %v", err)
		}
	})
}

// TestRolling: three servers restart one after another, each for the
// downtime, the next going down when the one before serves again; each
// strikes as its turn begins, and at no moment are two down.
func TestRolling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Local)
		defer n.Close()
		addrs := []Addr{"a:1", "b:1", "c:1"}
		var servers []*Server
		var strikes []time.Duration
		start := time.Now()
		for _, a := range addrs {
			s, err := StartServer(n, a, func() Instance { return Instance{GRPC: grpc.NewServer()} })
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.OnStrike(func(at time.Time) { strikes = append(strikes, at.Sub(start)) })
			servers = append(servers, s)
		}
		// A watcher samples which servers refuse dials every 100 ms.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		worst := make(chan int, 1)
		go func() {
			most := 0
			for {
				down := 0
				for _, a := range addrs {
					if dialOutcome(n, a) != nil {
						down++
					}
				}
				most = max(most, down)
				select {
				case <-ctx.Done():
					worst <- most
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
		time.Sleep(50 * time.Millisecond)
		begin := time.Since(start)
		if err := (Rolling{}).InjectAll(context.Background(), servers, time.Second); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start) - begin; got != 3*time.Second {
			t.Errorf("the rolling restart took %v, want 3 downtimes", got)
		}
		cancel()
		if most := <-worst; most != 1 {
			t.Errorf("at worst %d servers were down at once, want 1", most)
		}
		want := []time.Duration{begin, begin + time.Second, begin + 2*time.Second}
		if len(strikes) != 3 || strikes[0] != want[0] || strikes[1] != want[1] || strikes[2] != want[2] {
			t.Errorf("strikes at %v, want %v", strikes, want)
		}
		for i, s := range servers {
			if got := len(s.Starts()); got != 2 {
				t.Errorf("server %d started %d times, want 2", i, got)
			}
		}
	})
}
