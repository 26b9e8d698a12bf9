//go:build go1.25

package netsim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand"
	"net"
	"os"
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

func TestDataIntegrity(t *testing.T) {
	for _, link := range Profiles() {
		t.Run(link.Name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, server, _ := pair(t, link)
				rng := rand.New(rand.NewSource(1))
				up, down := make([]byte, 3<<20+17), make([]byte, 2<<20+5) // larger than the buffer
				rng.Read(up)
				rng.Read(down)
				errs := make(chan error, 2)
				go send(client, up, rand.New(rand.NewSource(2)), errs)
				go send(server, down, rand.New(rand.NewSource(3)), errs)
				gotUp, gotDown := make([]byte, len(up)), make([]byte, len(down))
				if _, err := io.ReadFull(server, gotUp); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(client, gotDown); err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if err := <-errs; err != nil {
						t.Fatal(err)
					}
				}
				if !bytes.Equal(gotUp, up) || !bytes.Equal(gotDown, down) {
					t.Fatalf("data damaged: up %d/%d bytes equal=%v, down %d/%d equal=%v",
						len(gotUp), len(up), bytes.Equal(gotUp, up), len(gotDown), len(down), bytes.Equal(gotDown, down))
				}
			})
		})
	}
}

func TestLatencyAndBandwidth(t *testing.T) {
	for _, tc := range []struct {
		link Profile
		size int
		want time.Duration // from the write to the last byte read
	}{
		{Local, 1 << 20, 0},
		{Profile{Name: "slow", Latency: 10 * time.Millisecond}, 100, 10 * time.Millisecond},
		{Profile{Name: "thin", Bandwidth: 1 << 20}, 512 << 10, 500 * time.Millisecond},
		{WAN, 250_000, 30*time.Millisecond + 100*time.Millisecond}, // 20 Mbit/s is 2.5 MB/s
	} {
		t.Run(tc.link.Name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, server, _ := pair(t, tc.link)
				start := time.Now()
				go client.Write(make([]byte, tc.size))
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

func TestFirstByteAfterLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, _ := pair(t, LAN)
		start := time.Now()
		client.Write([]byte("x"))
		server.Read(make([]byte, 1))
		// 1 ms one way plus 8 bits at 100 Mbit/s.
		if got, want := time.Since(start), time.Millisecond+80*time.Nanosecond; got != want {
			t.Errorf("first byte after %v, want %v", got, want)
		}
	})
}

func TestDialTakesOneRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(WAN)
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
		if got := time.Since(start); got != 60*time.Millisecond {
			t.Errorf("dial took %v, want one round trip of 60ms", got)
		}
	})
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
		// A close is lost too: the other end never sees EOF.
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
