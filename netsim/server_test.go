//go:build go1.25

package netsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"
	"google.golang.org/grpc"
)

const addr Addr = "server:1"

// startServer starts a Server of bare gRPC instances on a fresh network.
func startServer(t *testing.T) (*Network, *Server) {
	t.Helper()
	n := New(Local)
	s, err := StartServer(n, addr, func() Instance { return Instance{GRPC: grpc.NewServer()} })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		n.Close()
	})
	return n, s
}

// h2conn is an HTTP/2 client connection to the server, spoken by hand so
// that the test sees exactly what reaches the wire: frames, GOAWAY, EOF or
// a reset.
func h2conn(t *testing.T, n *Network) (net.Conn, *http2.Framer) {
	t.Helper()
	c, err := n.Dial(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(c, c)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	if _, err := fr.ReadFrame(); err != nil { // the server's SETTINGS
		t.Fatal(err)
	}
	return c, fr
}

// drainFrames reads frames until an error, reporting whether a GOAWAY came.
func drainFrames(fr *http2.Framer) (goaway bool, err error) {
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return goaway, err
		}
		if _, ok := f.(*http2.GoAwayFrame); ok {
			goaway = true
		}
	}
}

func lookup(t *testing.T, name string) Fault {
	f, err := LookupFault(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// inject runs the fault in the background, as the harness does, and returns
// a channel with its result.
func inject(s *Server, f Fault, downtime time.Duration) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Inject(context.Background(), f, downtime) }()
	return done
}

func TestCrash(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, s := startServer(t)
		_, fr := h2conn(t, n)
		done := inject(s, lookup(t, "crash"), time.Second)
		goaway, err := drainFrames(fr)
		if goaway || !IsReset(err) {
			t.Errorf("connection at a crash: goaway=%v, err=%v; want a reset and no GOAWAY", goaway, err)
		}
		if _, err := n.Dial(context.Background(), addr); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial while down: %v, want ECONNREFUSED", err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		starts := s.Starts()
		if len(starts) != 2 || starts[1].Sub(starts[0]) != time.Second {
			t.Errorf("starts %v, want a second instance one downtime (1s) later", starts)
		}
		h2conn(t, n) // the fresh instance serves
	})
}

func TestGraceful(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Local)
		defer n.Close()
		drained := 0
		s, err := StartServer(n, addr, func() Instance {
			return Instance{GRPC: grpc.NewServer(), Drain: func() { drained++ }}
		})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, fr := h2conn(t, n)
		done := inject(s, lookup(t, "graceful"), time.Second)
		goaway, err := drainFrames(fr)
		if !goaway || err != io.EOF {
			t.Errorf("connection at a graceful stop: goaway=%v, err=%v; want GOAWAY, then EOF", goaway, err)
		}
		if drained != 1 {
			t.Errorf("Drain ran %d times, want once", drained)
		}
		if _, err := n.Dial(context.Background(), addr); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial while down: %v, want ECONNREFUSED", err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		h2conn(t, n)
		if got := len(s.Starts()); got != 2 {
			t.Errorf("%d instances started, want 2", got)
		}
	})
}

func TestBlackholeFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, s := startServer(t)
		old, fr := h2conn(t, n)
		done := inject(s, lookup(t, "blackhole"), 5*time.Second)
		synctest.Wait()
		// The old connection stays open and silent, even to a ping.
		fr.WritePing(false, [8]byte{1})
		old.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := fr.ReadFrame(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("old connection after a blackhole: %v, want silence until the deadline", err)
		}
		if err := <-done; err != nil { // 5s downtime passed during the 30s wait
			t.Fatal(err)
		}
		// A new dial reaches the fresh instance; the old connection stays dead.
		h2conn(t, n)
		old.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := fr.ReadFrame(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("old connection after the server came back: %v, want it still silent", err)
		}
	})
}

func TestBlackholeDialsHang(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, s := startServer(t)
		done := inject(s, lookup(t, "blackhole"), 5*time.Second)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := n.Dial(ctx, addr); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("dial while blackholed: %v, want it to hang until its context ends", err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		ds := n.Dials()
		if last := ds[len(ds)-1]; last.Outcome != TimedOut || last.End.Sub(last.Start) != 2*time.Second {
			t.Errorf("dial recorded as %+v, want timed out after 2s", last)
		}
	})
}

func TestFlap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, s := startServer(t)
		_, fr := h2conn(t, n)
		t0 := time.Now()
		if err := s.Inject(context.Background(), lookup(t, "flap"), time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := drainFrames(fr); !IsReset(err) {
			t.Errorf("connection at a flap: %v, want a reset", err)
		}
		// Down 1s, up 300ms, three times; the last restart stays up.
		want := []time.Duration{time.Second, 2300 * time.Millisecond, 3600 * time.Millisecond}
		starts := s.Starts()[1:]
		if len(starts) != len(want) {
			t.Fatalf("%d restarts, want %d", len(starts), len(want))
		}
		for i, st := range starts {
			if got := st.Sub(t0); got != want[i] {
				t.Errorf("restart %d at %v after the fault, want %v", i+1, got, want[i])
			}
		}
		h2conn(t, n)
	})
}

// TestInjectCancelled: whichever fault it is and wherever in the fault the
// context ends, Inject returns the context's error at once and leaves the
// server down: dials are refused (or hang, for a vanished host) and a
// further Inject is refused.
func TestInjectCancelled(t *testing.T) {
	for _, tc := range []struct {
		fault    string
		downtime time.Duration
		cancelAt time.Duration
		dial     Outcome // what a dial gets afterwards
	}{
		{"crash", time.Hour, time.Second, Refused},
		{"graceful", time.Hour, time.Second, Refused},
		{"blackhole", time.Hour, time.Second, TimedOut},
		{"flap", time.Hour, time.Second, Refused},
		// Flap up for its 300ms between the first and second crash.
		{"flap", time.Second, 1100 * time.Millisecond, Refused},
	} {
		t.Run(fmt.Sprintf("%s/%v", tc.fault, tc.cancelAt), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n, s := startServer(t)
				start := time.Now()
				ctx, cancel := context.WithTimeout(context.Background(), tc.cancelAt)
				defer cancel()
				if err := s.Inject(ctx, lookup(t, tc.fault), tc.downtime); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Inject with a context that ends first: %v", err)
				}
				if got := time.Since(start); got != tc.cancelAt {
					t.Errorf("Inject returned after %v, want when its context ended (%v)", got, tc.cancelAt)
				}
				dctx, dcancel := context.WithTimeout(context.Background(), time.Second)
				defer dcancel()
				if c, err := n.Dial(dctx, addr); err == nil {
					c.Close()
				}
				ds := n.Dials()
				if got := ds[len(ds)-1].Outcome; got != tc.dial {
					t.Errorf("dial after a cancelled Inject: %v, want %v (the server down)", got, tc.dial)
				}
				if err := s.Inject(context.Background(), lookup(t, "crash"), 0); err == nil {
					t.Error("Inject on a server that is down succeeded")
				}
				// Close brings nothing back but makes the address an ordinary
				// one again: dials are refused rather than left hanging.
				s.Close()
				if _, err := n.Dial(context.Background(), addr); !errors.Is(err, syscall.ECONNREFUSED) {
					t.Errorf("dial after Close: %v, want ECONNREFUSED", err)
				}
			})
		})
	}
}

func TestStartServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, s := startServer(t)
		if s.Addr() != addr {
			t.Errorf("Addr() = %v, want %v", s.Addr(), addr)
		}
		if got := s.Starts(); len(got) != 1 || !got[0].Equal(time.Now()) {
			t.Errorf("Starts() = %v, want one start, now", got)
		}
		if _, err := StartServer(n, addr, func() Instance { return Instance{GRPC: grpc.NewServer()} }); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("second server at the same address: %v, want EADDRINUSE", err)
		}
		// Close stops the instance: its connections are reset.
		_, fr := h2conn(t, n)
		s.Close()
		if _, err := drainFrames(fr); !IsReset(err) {
			t.Errorf("connection when the server closed: %v, want a reset", err)
		}
		s.Close() // idempotent
	})
}
