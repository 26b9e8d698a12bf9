package replay

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"
)

// serve starts the service backed by store on an in-process listener and
// returns a client with log on a connection to it.
func serve(t *testing.T, store *Store, log *Log) *Client {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	s := grpc.NewServer()
	Register(s, store)
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	cc, err := grpc.Dial("bufconn", grpc.WithInsecure(),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return NewClient(cc, log)
}

func TestReplayModes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		replay func(*Client, context.Context) error
	}{
		{"stream", (*Client).Replay},
		{"unary", (*Client).ReplayUnary},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log, err := NewLog(50, 64)
			if err != nil {
				t.Fatal(err)
			}
			store := NewStore(log.Len())
			c := serve(t, store, log)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := tc.replay(c, ctx); err != nil {
				t.Fatal(err)
			}
			select {
			case <-store.Complete():
			default:
				t.Fatal("store not complete after a replay")
			}
			if err := tc.replay(c, ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := store.Tally(log.Len()), (Tally{Duplicated: 50, Replays: 2}); got != want {
				t.Errorf("after two replays: %+v, want %+v", got, want)
			}
		})
	}
}

func TestDiscardKeepsNothing(t *testing.T) {
	log, _ := NewLog(1, 8)
	store := NewStore(1)
	c := serve(t, store, log)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Discard(ctx, make([]byte, 256), 100); err != nil {
		t.Fatal(err)
	}
	if got := store.Tally(1); got.Lost != 1 || got.Replays != 0 {
		t.Errorf("Discard touched the store: %+v", got)
	}
}

// TestIdentityAndSpurious checks that the service reports its instance's
// identity, the same on every call and another for another instance, and
// counts the replays that began with the store already complete: not the
// first, every one after it.
func TestIdentityAndSpurious(t *testing.T) {
	log, err := NewLog(20, 32)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, other := NewStore(log.Len()), NewStore(log.Len())
	c, o := serve(t, store, log), serve(t, other, log)
	id, err := c.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := c.Identity(ctx)
	otherID, _ := o.Identity(ctx)
	if id != store.Identity() || again != id || len(id) != 16 || otherID == id || otherID != other.Identity() {
		t.Errorf("identities %q, %q (store says %q), other instance %q", id, again, store.Identity(), otherID)
	}
	hooked := 0
	store.OnSpurious(func() { hooked++ })
	for i, want := range []int{0, 1, 2} {
		if err := c.Replay(ctx); err != nil {
			t.Fatal(err)
		}
		if got := store.Spurious(); got != want || hooked != want {
			t.Errorf("after %d replays: %d spurious (hook called %d times), want %d", i+1, got, hooked, want)
		}
	}
	if other.Spurious() != 0 {
		t.Errorf("an instance that received nothing counts %d spurious replays", other.Spurious())
	}
}
