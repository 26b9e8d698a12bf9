//go:build go1.25

package netsim

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
)

// agedServer builds instances of sleepyServer with an Aged twin whose
// connections are rotated after age, with the grace period grace; it
// counts the instances built.
func agedServer(age, grace time.Duration, built *int) func() Instance {
	return func() Instance {
		*built++
		in := sleepyServer()
		in.Aged = grpc.NewServer(grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionAge: age, MaxConnectionAgeGrace: grace}),
			grpc.UnknownServiceHandler(sleepyHandler))
		in.MaxAge = age
		return in
	}
}

// TestRotate rotates a client's connection through gRPC's connection-age
// limit: the instance stays (one start, the same state), the fault
// strikes at the GOAWAY, within gRPC's ±10% jitter of the age, and what
// happens to the connection then depends on what runs on it: closed at
// once when idle, when its last RPC ends if that is within the grace
// period, at the end of the grace period otherwise, cutting the RPC
// (from v1.61 gRPC then waits up to 1 s more for the client to close
// first, grpc/grpc-go#5358: internal/transport/http2_server.go, the
// goroutine that runs loopy). The client's next connection is not rotated
// again.
func TestRotate(t *testing.T) {
	const age = 10 * time.Second // so the GOAWAY comes 9 to 11 s after the connection
	for _, tc := range []struct {
		name     string
		grace    time.Duration
		rpcAt    time.Duration // when an RPC starts, after the connection (0: none)
		rpc      time.Duration // how long the server takes to answer it
		code     codes.Code    // how it ends
		closedAt string        // when the connection closes: "t0", "t0+grace", "rpc"
	}{
		{"idle", 2 * time.Second, 0, 0, codes.OK, "t0"},
		{"rpc ends in the grace period", 5 * time.Second, 8900 * time.Millisecond, 3 * time.Second, codes.OK, "rpc"},
		{"rpc cut by the grace period", 2 * time.Second, 8500 * time.Millisecond, 20 * time.Second, codes.Unavailable, "t0+grace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				grace := tc.grace
				n := New(Local)
				defer n.Close()
				built := 0
				s, err := StartServer(n, addr, agedServer(age, grace, &built))
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				var struck []time.Time
				s.OnStrike(func(at time.Time) { struck = append(struck, at) })
				cc, err := grpc.NewClient("passthrough:///"+string(addr), grpc.WithTransportCredentials(insecure.NewCredentials()),
					grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) { return n.Dial(ctx, Addr(a)) }))
				if err != nil {
					t.Fatal(err)
				}
				defer cc.Close()
				start := time.Now()
				if err := callSleep(cc, 0); err != nil {
					t.Fatal(err)
				}
				rpcDone := make(chan error, 1)
				var rpcEnd time.Time
				if tc.rpcAt > 0 {
					go func() {
						time.Sleep(tc.rpcAt)
						err := callSleep(cc, tc.rpc)
						rpcEnd = time.Now()
						rpcDone <- err
					}()
				} else {
					rpcDone <- nil
				}
				if err := s.Inject(context.Background(), Rotate{}, grace); err != nil {
					t.Fatal(err)
				}
				if len(struck) != 1 {
					t.Fatalf("the fault struck %d times", len(struck))
				}
				t0 := struck[0]
				if got := t0.Sub(start); got < age*9/10 || got >= age*11/10 {
					t.Errorf("struck %v after the connection was made; want the age %v ± 10%%", got, age)
				}
				if got := time.Since(t0); got != grace {
					t.Errorf("Inject returned %v after the GOAWAY, want the grace period %v", got, grace)
				}
				err = <-rpcDone
				if status.Code(err) != tc.code {
					t.Errorf("the RPC under way ended with %v, want %v", err, tc.code)
				}
				cut := t0.Add(grace)
				if minor, _ := strconv.Atoi(strings.Split(grpc.Version, ".")[1]); minor >= 61 {
					cut = cut.Add(time.Second)
				}
				want := map[string]time.Time{"t0": t0, "t0+grace": cut, "rpc": rpcEnd}[tc.closedAt]
				if tc.closedAt == "t0+grace" && !rpcEnd.Equal(cut) {
					t.Errorf("the RPC was cut %v after the fault, want when the connection closed, %v", rpcEnd.Sub(t0), cut.Sub(t0))
				}
				if conns := n.Conns(); len(conns) != 1 || !conns[0].Closed.Equal(want) {
					t.Errorf("connections %+v; want one, closed by the client at %s (%v after the fault at %v)", conns, tc.closedAt, want.Sub(t0), t0)
				}
				// The same instance serves the client's next connection
				// and lets it live.
				if err := callSleep(cc, 0); err != nil {
					t.Fatalf("after the rotation: %v", err)
				}
				time.Sleep(3 * age)
				if err := callSleep(cc, 0); err != nil {
					t.Fatal(err)
				}
				conns := n.Conns()
				if len(conns) != 2 || !conns[1].Closed.IsZero() {
					t.Errorf("connections %+v; want a second one, still open after %v", conns, 3*age)
				}
				if s.RotatedNothing() {
					t.Error("RotatedNothing after a GOAWAY")
				}
				if built != 1 || len(s.Starts()) != 1 {
					t.Errorf("%d instances built, %d started; want the one", built, len(s.Starts()))
				}
			})
		})
	}
}

// TestRotateNothing: a client that closes its connection before it comes
// of age, and opens another, leaves nothing to rotate in time; the fault
// strikes at the latest moment a GOAWAY could have come for its first
// connection, and is over a grace period later.
func TestRotateNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const age, grace = 10 * time.Second, time.Second
		n := New(Local)
		defer n.Close()
		built := 0
		s, err := StartServer(n, addr, agedServer(age, grace, &built))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var t0 time.Time
		s.OnStrike(func(at time.Time) { t0 = at })
		c, _ := h2conn(t, n)
		start := time.Now()
		time.Sleep(age / 2)
		c.Close()
		h2conn(t, n) // a second connection, which comes of age too late
		if s.RotatedNothing() {
			t.Error("RotatedNothing before the fault")
		}
		if err := s.Inject(context.Background(), Rotate{}, grace); err != nil {
			t.Fatal(err)
		}
		if want := age + age/10 + ageSlack; t0.Sub(start) != want {
			t.Errorf("struck %v after the connection was made, want %v", t0.Sub(start), want)
		}
		if got := time.Since(t0); got != grace {
			t.Errorf("Inject returned %v after the strike, want %v", got, grace)
		}
		if !s.RotatedNothing() {
			t.Error("RotatedNothing is false after a rotation without a GOAWAY")
		}
		h2conn(t, n) // the instance serves on
	})
}

// TestRotateNeedsAged: an instance without an age limit cannot rotate.
func TestRotateNeedsAged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := startServer(t)
		if err := s.Inject(context.Background(), Rotate{}, time.Second); err == nil {
			t.Fatal("rotated an instance that has no Aged server")
		}
	})
}

// TestGoAwayWatch feeds the frame scanner a server's frames in writes of
// random sizes, as a bufio writer cuts them: it sees the GOAWAY at the
// write that completes its header, and only there.
func TestGoAwayWatch(t *testing.T) {
	var wire bytes.Buffer
	fr := http2.NewFramer(&wire, nil)
	fr.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 1 << 14})
	fr.WritePing(false, [8]byte{1, 2, 3})
	fr.WriteData(1, false, bytes.Repeat([]byte{byte(http2.FrameGoAway)}, 5000)) // a payload that looks like headers
	fr.WriteWindowUpdate(0, 1000)
	before := wire.Len()
	fr.WriteGoAway(7, http2.ErrCodeNo, []byte("max_age"))
	frames := wire.Bytes()
	for seed := uint64(0); seed < 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		sp := &Splitter{rotatedCh: make(chan struct{})}
		w := &goAwayWatch{sp: sp}
		for b := frames; len(b) > 0; {
			n := 1 + rng.IntN(min(len(b), 64))
			w.scan(b[:n])
			b = b[n:]
			if got, want := sp.rotated, len(frames)-len(b) >= before+9; got != want {
				t.Fatalf("seed %d: rotated %v after %d of %d bytes (the GOAWAY's header ends at %d)", seed, got, len(frames)-len(b), len(frames), before+9)
			}
		}
	}
}
