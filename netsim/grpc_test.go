//go:build go1.25

package netsim

import (
	"context"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// sleepyMethod is served by every instance of sleepyServer: it answers after
// the duration named in the request's Service field.
const sleepyMethod = "/netsim.test/Sleep"

// sleepyServer builds instances whose one method sleeps on the bubble's
// clock, so an RPC can be in flight when a fault strikes.
func sleepyServer() Instance {
	return Instance{GRPC: grpc.NewServer(grpc.UnknownServiceHandler(sleepyHandler))}
}

// sleepyHandler answers after the duration the request names.
func sleepyHandler(_ any, stream grpc.ServerStream) error {
	var req healthpb.HealthCheckRequest
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	d, err := time.ParseDuration(req.Service)
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-stream.Context().Done():
		return stream.Context().Err()
	}
	return stream.SendMsg(&healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING})
}

// callSleep asks the server to sleep for d, giving up after 20s.
func callSleep(cc *grpc.ClientConn, d time.Duration, opts ...grpc.CallOption) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return cc.Invoke(ctx, sleepyMethod, &healthpb.HealthCheckRequest{Service: d.String()}, new(healthpb.HealthCheckResponse), opts...)
}

// TestFaultsOnAnRPCInFlight starts an RPC that the server takes 2s to answer
// (or 10s) and injects a fault with 5s downtime under it: what the gRPC
// client sees, and when, is each fault's signature.
func TestFaultsOnAnRPCInFlight(t *testing.T) {
	for _, tc := range []struct {
		fault   string
		rpc     time.Duration // how long the handler takes
		code    codes.Code    // how the in-flight RPC ends
		elapsed time.Duration // and when, from the fault
	}{
		// GracefulStop lets the RPC finish...
		{"graceful", 2 * time.Second, codes.OK, 2 * time.Second},
		// ...unless it outlasts the downtime, when the instance is killed.
		{"graceful", 10 * time.Second, codes.Unavailable, 5 * time.Second},
		// A reset ends it at once.
		{"crash", 2 * time.Second, codes.Unavailable, 0},
		{"flap", 2 * time.Second, codes.Unavailable, 0},
		// Silence: nothing ends it but its own deadline (20s after it began).
		{"blackhole", 2 * time.Second, codes.DeadlineExceeded, 20 * time.Second},
	} {
		t.Run(tc.fault+"/"+tc.rpc.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := New(Local)
				defer n.Close()
				s, err := StartServer(n, addr, sleepyServer)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				cc, err := grpc.NewClient("passthrough:///"+string(addr),
					grpc.WithTransportCredentials(insecure.NewCredentials()),
					grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) {
						return n.Dial(ctx, Addr(a))
					}))
				if err != nil {
					t.Fatal(err)
				}
				defer cc.Close()
				if err := callSleep(cc, 0); err != nil {
					t.Fatalf("RPC before the fault: %v", err)
				}

				t0 := time.Now()
				type result struct {
					err error
					at  time.Duration
				}
				inFlight := make(chan result, 1)
				go func() {
					err := callSleep(cc, tc.rpc)
					inFlight <- result{err, time.Since(t0)}
				}()
				synctest.Wait() // the handler is asleep
				done := inject(s, lookup(t, tc.fault), 5*time.Second)
				r := <-inFlight
				if got := status.Code(r.err); got != tc.code || r.at != tc.elapsed {
					t.Errorf("in-flight RPC ended with %v (%v) after %v; want %v after %v", got, r.err, r.at, tc.code, tc.elapsed)
				}
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				if tc.fault == "blackhole" {
					return // the client still trusts the dead connection; nothing here tells it otherwise
				}
				// The client reconnects to the fresh instance.
				if err := callSleep(cc, time.Second, grpc.WaitForReady(true)); err != nil {
					t.Errorf("RPC after the server came back: %v", err)
				}
				if got := len(s.Starts()); got < 2 {
					t.Errorf("%d instances started, want a fresh one", got)
				}
			})
		})
	}
}
