//go:build go1.25

package netsim

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// TestFaultDuringHandshake: a client has dialled but its HTTP/2 preface has
// not reached the server when the fault strikes, as happens whenever a
// reconnect races a fault on a link with latency. The server must still be
// back after the downtime: grpc.Server.Stop waits for handshakes under way,
// which would otherwise hold the restart up for gRPC's 120 s connection
// timeout (found by FuzzFaultSchedule). What the half-open client sees is
// the fault's signature: a reset, the end of the stream when a graceful
// stop runs out of time, or silence for a vanished host.
func TestFaultDuringHandshake(t *testing.T) {
	for _, tc := range []struct {
		fault string
		takes time.Duration // Inject, with a downtime of 1 s
		reads error         // what the client reads then
	}{
		{"crash", time.Second, syscall.ECONNRESET},
		{"graceful", time.Second, io.EOF},
		{"blackhole", time.Second, os.ErrDeadlineExceeded},
		{"flap", 3600 * time.Millisecond, syscall.ECONNRESET},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n, s := startServer(t)
				c, err := n.Dial(context.Background(), addr) // and no preface
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				synctest.Wait() // the server is reading the preface
				start := time.Now()
				if err := s.Inject(context.Background(), lookup(t, tc.fault), time.Second); err != nil {
					t.Fatal(err)
				}
				if got := time.Since(start); got != tc.takes {
					t.Errorf("Inject took %v, want %v", got, tc.takes)
				}
				c.SetReadDeadline(time.Now().Add(time.Minute))
				_, err = io.Copy(io.Discard, c) // what the server sent, then how it ended
				if err == nil {
					err = io.EOF // io.Copy's way of saying EOF
				}
				if !errors.Is(err, tc.reads) {
					t.Errorf("the client in its handshake reads %v, want %v", err, tc.reads)
				}
				h2conn(t, n) // the fresh instance serves
			})
		})
	}
}
