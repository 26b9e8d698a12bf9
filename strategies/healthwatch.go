package strategies

import (
	"context"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// HealthWatch holds a grpc.health.v1 Watch stream open with wait-for-ready.
// The stream breaking, or reporting anything but SERVING, is the loss
// signal; a new stream's first SERVING starts the replay. Because the
// stream is an RPC, re-opening it also makes an idle channel reconnect.
type HealthWatch struct {
	// Retry is the pause before re-opening a broken stream.
	Retry time.Duration
}

func init() {
	Register(Info{
		Name:        "healthwatch",
		Summary:     "grpc.health.v1 Watch stream with wait-for-ready: replay on SERVING, re-watch on break",
		New:         func() Strategy { return HealthWatch{Retry: 100 * time.Millisecond} },
		ExactlyOnce: true,
	})
}

// DialOptions implements Strategy; the watch stream needs none.
func (HealthWatch) DialOptions(Hooks) []grpc.DialOption { return nil }

// Watch implements Watcher.
func (w HealthWatch) Watch(ctx context.Context, cc *grpc.ClientConn, h Hooks) {
	client := healthpb.NewHealthClient(cc)
	for {
		if w.watchOnce(ctx, client, h) {
			h.Lost()
		}
		t := time.NewTimer(w.Retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// watchOnce follows one Watch stream until it breaks or stops reporting
// SERVING, and reports whether the server had been serving on it.
func (HealthWatch) watchOnce(ctx context.Context, client healthpb.HealthClient, h Hooks) (wasServing bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
	if err != nil {
		return false
	}
	for {
		resp, err := stream.Recv()
		if err != nil {
			return wasServing
		}
		serving := resp.GetStatus() == healthpb.HealthCheckResponse_SERVING
		switch {
		case serving && !wasServing:
			wasServing = true
			h.Replay()
		case !serving && wasServing:
			return true
		}
	}
}
