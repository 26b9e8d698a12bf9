//go:build go1.25

package netsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// pair dials a fresh network shaped by link and returns both ends.
func pair(t *testing.T, link Profile) (client, server net.Conn, n *Network) {
	t.Helper()
	n = New(link)
	lis, err := n.Listen("server:1")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := lis.Accept()
		accepted <- c
	}()
	client, err = n.Dial(context.Background(), "server:1")
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() {
		client.Close()
		server.Close()
		n.Close()
	})
	return client, server, n
}

// send writes data in random chunks and reports the first error.
func send(c net.Conn, data []byte, rng *rand.Rand, errs chan<- error) {
	for len(data) > 0 {
		k := 1 + rng.Intn(64<<10)
		if k > len(data) {
			k = len(data)
		}
		if _, err := c.Write(data[:k]); err != nil {
			errs <- err
			return
		}
		data = data[k:]
	}
	errs <- nil
}

// TestDataIntegrity sends random bytes in random-size writes both ways at
// once, more than the buffer in each direction, and reads them back
// concurrently on every preset profile.
func TestDataIntegrity(t *testing.T) {
	for i, link := range Profiles() {
		t.Run(link.Name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, server, _ := pair(t, link)
				rng := rand.New(rand.NewSource(int64(i)))
				up := make([]byte, defaultBuffer+rng.Intn(defaultBuffer/2))
				down := make([]byte, defaultBuffer+rng.Intn(defaultBuffer/2))
				rng.Read(up)
				rng.Read(down)
				errs := make(chan error, 4)
				go send(client, up, rand.New(rand.NewSource(rng.Int63())), errs)
				go send(server, down, rand.New(rand.NewSource(rng.Int63())), errs)
				gotUp, gotDown := make([]byte, len(up)), make([]byte, len(down))
				recv := func(c net.Conn, b []byte) {
					_, err := io.ReadFull(c, b)
					errs <- err
				}
				go recv(server, gotUp)
				go recv(client, gotDown)
				for range 4 {
					if err := <-errs; err != nil {
						t.Fatal(err)
					}
				}
				if !bytes.Equal(gotUp, up) {
					t.Errorf("client to server: %d bytes damaged at offset %d", len(up), firstDiff(gotUp, up))
				}
				if !bytes.Equal(gotDown, down) {
					t.Errorf("server to client: %d bytes damaged at offset %d", len(down), firstDiff(gotDown, down))
				}
				// Nothing more than was sent: each side then reads EOF.
				client.Close()
				server.Close()
			})
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// transmit is how long the link takes to put n bytes on the wire.
func transmit(link Profile, n int) time.Duration {
	if link.Bandwidth == 0 {
		return 0
	}
	return time.Duration(int64(n) * int64(time.Second) / link.Bandwidth)
}

func TestLatencyAndBandwidth(t *testing.T) {
	for _, tc := range []struct {
		link  Profile
		size  int
		chunk int           // write size; 0 writes everything at once
		want  time.Duration // from the first write to the last byte read
	}{
		{Local, 1 << 20, 0, 0},
		{Profile{Name: "slow", Latency: 10 * time.Millisecond}, 100, 0, 10 * time.Millisecond},
		{Profile{Name: "thin", Bandwidth: 1 << 20}, 512 << 10, 0, 500 * time.Millisecond},
		{WAN, 250_000, 0, 30*time.Millisecond + 100*time.Millisecond}, // 20 Mbit/s is 2.5 MB/s
		// Streams larger than the buffer keep the link busy when written in
		// chunks: size/bandwidth plus one latency.
		{LAN, 2 << 20, 64 << 10, transmit(LAN, 2<<20) + LAN.Latency},
		{WAN, 2 << 20, 64 << 10, transmit(WAN, 2<<20) + WAN.Latency},
		// One write larger than the buffer goes out one buffer at a time,
		// the second only once the first has been read at the far end.
		{WAN, 2 * defaultBuffer, 0, 2 * (transmit(WAN, defaultBuffer) + WAN.Latency)},
	} {
		t.Run(fmt.Sprintf("%s/%d/%d", tc.link.Name, tc.size, tc.chunk), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, server, _ := pair(t, tc.link)
				start := time.Now()
				go func() {
					data, chunk := make([]byte, tc.size), tc.chunk
					if chunk == 0 {
						chunk = tc.size
					}
					for len(data) > 0 {
						k := min(chunk, len(data))
						if _, err := client.Write(data[:k]); err != nil {
							return
						}
						data = data[k:]
					}
				}()
				if _, err := io.ReadFull(server, make([]byte, tc.size)); err != nil {
					t.Fatal(err)
				}
				if got := time.Since(start); got != tc.want {
					t.Errorf("%d bytes took %v, want exactly %v", tc.size, got, tc.want)
				}
			})
		})
	}
}

// TestFirstByteAfterLatency: one byte arrives one latency plus its own
// transmission time after it was written, on every preset profile and in
// both directions.
func TestFirstByteAfterLatency(t *testing.T) {
	for _, link := range Profiles() {
		t.Run(link.Name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, server, _ := pair(t, link)
				want := link.Latency + transmit(link, 1)
				for _, dir := range [][2]net.Conn{{client, server}, {server, client}} {
					start := time.Now()
					if _, err := dir[0].Write([]byte("x")); err != nil {
						t.Fatal(err)
					}
					if _, err := dir[1].Read(make([]byte, 1)); err != nil {
						t.Fatal(err)
					}
					if got := time.Since(start); got != want {
						t.Errorf("first byte from %v after %v, want %v", dir[0].LocalAddr(), got, want)
					}
				}
			})
		})
	}
}

func TestDialTakesOneRoundTrip(t *testing.T) {
	for _, link := range Profiles() {
		t.Run(link.Name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := New(link)
				defer n.Close()
				lis, _ := n.Listen("server:1")
				go func() {
					if c, err := lis.Accept(); err == nil {
						c.Close()
					}
				}()
				start := time.Now()
				c, err := n.Dial(context.Background(), "server:1")
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				if got := time.Since(start); got != 2*link.Latency {
					t.Errorf("dial took %v, want one round trip of %v", got, 2*link.Latency)
				}
				// A refusal (the RST) takes the same round trip.
				start = time.Now()
				if _, err := n.Dial(context.Background(), "nobody:1"); !errors.Is(err, syscall.ECONNREFUSED) {
					t.Fatalf("dial to nothing: %v", err)
				}
				if got := time.Since(start); got != 2*link.Latency {
					t.Errorf("refused dial took %v, want one round trip of %v", got, 2*link.Latency)
				}
				for _, d := range n.Dials() {
					if d.End.Sub(d.Start) != 2*link.Latency {
						t.Errorf("dial recorded as %+v, want it to span %v", d, 2*link.Latency)
					}
				}
			})
		})
	}
}

func TestDeadlines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, Local)
		// A read deadline in the future fires exactly then.
		start := time.Now()
		server.SetReadDeadline(start.Add(3 * time.Second))
		_, err := server.Read(make([]byte, 1))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read past deadline: %v, want os.ErrDeadlineExceeded", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("read past deadline: %v is not a net.Error timeout", err)
		}
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("deadline fired after %v, want 3s", got)
		}
		// A deadline in the past fails at once; clearing it lets data through.
		server.SetReadDeadline(time.Now().Add(-time.Second))
		if _, err := server.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read with past deadline: %v", err)
		}
		server.SetReadDeadline(time.Time{})
		client.Write([]byte("ok"))
		if n, err := server.Read(make([]byte, 2)); n != 2 || err != nil {
			t.Fatalf("read after clearing the deadline: %d, %v", n, err)
		}
		// A writer blocked on a full buffer gives up at its deadline.
		client.SetWriteDeadline(time.Now().Add(time.Second))
		n, err := client.Write(make([]byte, defaultBuffer+1))
		if !errors.Is(err, os.ErrDeadlineExceeded) || n != defaultBuffer {
			t.Errorf("write into a full buffer: %d, %v; want %d bytes and os.ErrDeadlineExceeded", n, err, defaultBuffer)
		}
	})
}

func TestCloseDeliversBufferedThenEOF(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, LAN)
		client.Write([]byte("last words"))
		client.Close()
		got, err := io.ReadAll(server)
		if err != nil || string(got) != "last words" {
			t.Fatalf("peer read %q, %v; want the buffered bytes, then EOF", got, err)
		}
		if _, err := client.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
			t.Errorf("write after close: %v, want net.ErrClosed", err)
		}
		if _, err := client.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
			t.Errorf("read after close: %v, want net.ErrClosed", err)
		}
		if err := client.Close(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("second close: %v, want net.ErrClosed", err)
		}
		// As on a closed socket, deadlines can no longer be set (gRPC-Go
		// tries when it closes a transport).
		later := time.Now().Add(10 * time.Second)
		for name, set := range map[string]func(time.Time) error{
			"SetDeadline": client.SetDeadline, "SetReadDeadline": client.SetReadDeadline, "SetWriteDeadline": client.SetWriteDeadline,
		} {
			if err := set(later); !errors.Is(err, net.ErrClosed) {
				t.Errorf("%s after close: %v, want net.ErrClosed", name, err)
			}
		}
		// The open end still can.
		if err := server.SetDeadline(later); err != nil {
			t.Errorf("SetDeadline on the open peer: %v", err)
		}
		// The peer writing to a closed end finds the pipe broken.
		if _, err := server.Write([]byte("x")); err == nil {
			t.Error("write to a closed peer succeeded")
		}
	})
}

func TestReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, Local)
		client.Write([]byte("lost with the reset"))
		read := make(chan error, 1)
		go func() {
			_, err := client.Read(make([]byte, 1))
			read <- err
		}()
		synctest.Wait()
		server.(*Conn).Reset()
		if err := <-read; !IsReset(err) {
			t.Errorf("blocked read after reset: %v, want ECONNRESET", err)
		}
		if _, err := server.Read(make([]byte, 1)); !IsReset(err) {
			t.Errorf("read of buffered bytes after reset: %v, want ECONNRESET", err)
		}
		if _, err := client.Write([]byte("x")); !IsReset(err) {
			t.Errorf("write after reset: %v, want ECONNRESET", err)
		}
	})
}

func TestBlackhole(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, Local)
		client.Write([]byte("in flight"))
		server.(*Conn).Blackhole()
		// Writes succeed into the void.
		if n, err := client.Write([]byte("gone")); n != 4 || err != nil {
			t.Errorf("write into a blackhole: %d, %v; want success", n, err)
		}
		// Nothing arrives, not even what was in flight: only a deadline ends the wait.
		server.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := server.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("read from a blackhole: %v, want a deadline error", err)
		}
		// A reset is lost too: the writer's end still takes bytes.
		server.(*Conn).Reset()
		if n, err := client.Write([]byte("gone")); n != 4 || err != nil {
			t.Errorf("write into a blackhole after a reset: %d, %v; want success", n, err)
		}
		// And a close: the other end never sees EOF.
		client.Close()
		server.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := server.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("read after the peer closed into a blackhole: %v, want a deadline error", err)
		}
	})
}

func TestAddrs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, Local)
		if client.RemoteAddr().String() != "server:1" || server.LocalAddr().String() != "server:1" {
			t.Errorf("server address: client sees %v, server has %v", client.RemoteAddr(), server.LocalAddr())
		}
		if client.LocalAddr() != server.RemoteAddr() || client.LocalAddr().Network() != "netsim" {
			t.Errorf("client address: %v (%s), server sees %v", client.LocalAddr(), client.LocalAddr().Network(), server.RemoteAddr())
		}
	})
}

// TestReadDeadlineChanges moves a read deadline while a Read waits on it:
// the Read ends at the deadline in force, not the one it started with.
func TestReadDeadlineChanges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		first  time.Duration // deadline set before the Read, from the start
		change time.Duration // when the deadline is changed
		second time.Duration // to this, from the start; 0 clears it
		want   time.Duration // when the Read fails; 0 means it gets data at 20s
	}{
		{"shortened", 10 * time.Second, time.Second, 3 * time.Second, 3 * time.Second},
		{"extended", time.Second, 500 * time.Millisecond, 5 * time.Second, 5 * time.Second},
		{"moved into the past", 10 * time.Second, 2 * time.Second, time.Second, 2 * time.Second},
		{"cleared", time.Second, 500 * time.Millisecond, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, server, _ := pair(t, Local)
				start := time.Now()
				at := func(d time.Duration) time.Time {
					if d == 0 {
						return time.Time{}
					}
					return start.Add(d)
				}
				server.SetReadDeadline(at(tc.first))
				time.AfterFunc(tc.change, func() { server.SetReadDeadline(at(tc.second)) })
				time.AfterFunc(20*time.Second, func() { client.Write([]byte("late")) })
				n, err := server.Read(make([]byte, 4))
				got := time.Since(start)
				if tc.want == 0 {
					if n != 4 || err != nil || got != 20*time.Second {
						t.Errorf("read: %d, %v after %v; want the data after 20s", n, err, got)
					}
					return
				}
				if !errors.Is(err, os.ErrDeadlineExceeded) || got != tc.want {
					t.Errorf("read: %v after %v, want os.ErrDeadlineExceeded after %v", err, got, tc.want)
				}
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Errorf("read past deadline: %v is not a net.Error timeout", err)
				}
			})
		})
	}
}

// TestWriteDeadline: a Write blocked on a full buffer returns what fitted
// exactly at its deadline; SetDeadline sets both deadlines; a deadline in
// the past fails a Write even when there is room.
func TestWriteDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, Local)
		start := time.Now()
		client.SetDeadline(start.Add(2 * time.Second))
		n, err := client.Write(make([]byte, defaultBuffer+10))
		if !errors.Is(err, os.ErrDeadlineExceeded) || n != defaultBuffer || time.Since(start) != 2*time.Second {
			t.Errorf("write into a full buffer: %d, %v after %v; want %d bytes and os.ErrDeadlineExceeded after 2s",
				n, err, time.Since(start), defaultBuffer)
		}
		// SetDeadline set the read deadline too; it has passed.
		if _, err := client.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("read after SetDeadline passed: %v", err)
		}
		// Draining the buffer makes room, but the deadline still holds.
		if _, err := io.ReadFull(server, make([]byte, defaultBuffer)); err != nil {
			t.Fatal(err)
		}
		if n, err := client.Write([]byte("x")); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("write with a past deadline: %d, %v", n, err)
		}
		client.SetDeadline(time.Time{})
		if n, err := client.Write([]byte("x")); n != 1 || err != nil {
			t.Errorf("write after clearing the deadline: %d, %v", n, err)
		}
	})
}

// TestFullBufferBlocksWriter: a writer more than the buffer ahead of its
// reader waits, and goes on as soon as the reader makes room.
func TestFullBufferBlocksWriter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, Local)
		start := time.Now()
		type result struct {
			n   int
			err error
			at  time.Duration
		}
		done := make(chan result, 1)
		go func() {
			n, err := client.Write(make([]byte, defaultBuffer+10))
			done <- result{n, err, time.Since(start)}
		}()
		synctest.Wait()
		if len(done) != 0 {
			t.Fatal("a write larger than the buffer returned with no reader")
		}
		time.Sleep(5 * time.Second)
		if _, err := io.ReadFull(server, make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		if r := <-done; r.n != defaultBuffer+10 || r.err != nil || r.at != 5*time.Second {
			t.Errorf("write: %d, %v after %v; want all %d bytes once the reader made room at 5s", r.n, r.err, r.at, defaultBuffer+10)
		}
		if _, err := io.ReadFull(server, make([]byte, defaultBuffer)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCloseWakesBlockedCalls: closing one end ends the closing end's own
// waiting Read and Write with net.ErrClosed, and a Read waiting on the peer
// with EOF once it has what was sent.
func TestCloseWakesBlockedCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, Local)
		rerr, werr := make(chan error, 1), make(chan error, 1)
		go func() { _, err := client.Read(make([]byte, 1)); rerr <- err }()
		go func() { _, err := client.Write(make([]byte, defaultBuffer+1)); werr <- err }()
		synctest.Wait()
		if len(rerr)+len(werr) != 0 {
			t.Fatal("a call returned before the close")
		}
		client.Close()
		if err := <-rerr; !errors.Is(err, net.ErrClosed) {
			t.Errorf("read blocked at close: %v, want net.ErrClosed", err)
		}
		if err := <-werr; !errors.Is(err, net.ErrClosed) {
			t.Errorf("write blocked at close: %v, want net.ErrClosed", err)
		}
		// What fitted in the buffer before the close still arrives, then EOF.
		if got, err := io.ReadAll(server); len(got) != defaultBuffer || err != nil {
			t.Errorf("peer read %d bytes, %v; want %d, then EOF", len(got), err, defaultBuffer)
		}
		// The peer cannot write to a closed end.
		if _, err := server.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
			t.Errorf("write to a closed peer: %v, want EPIPE", err)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, WAN)
		start := time.Now()
		time.AfterFunc(time.Second, func() { client.Close() })
		if n, err := server.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("read waiting when the peer closed: %d, %v; want EOF", n, err)
		}
		// A close is not shaped by the link: with nothing in flight the EOF
		// is seen at once, not one latency later.
		if got := time.Since(start); got != time.Second {
			t.Errorf("EOF after %v, want 1s", got)
		}
	})
}

func TestZeroLengthIO(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, LAN)
		if n, err := server.Read(nil); n != 0 || err != nil {
			t.Errorf("empty read: %d, %v; want 0, nil without waiting", n, err)
		}
		if n, err := client.Write(nil); n != 0 || err != nil {
			t.Errorf("empty write: %d, %v", n, err)
		}
	})
}
