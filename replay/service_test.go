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
