package strategies

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
)

func TestRegistry(t *testing.T) {
	want := []string{"combined", "dialer", "healthwatch", "identity", "keepalive", "watcher"}
	if got := strings.Join(Names(), ","); got != strings.Join(want, ",") {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for i, info := range All() {
		if info.Name != want[i] || info.Summary == "" || info.New == nil || info.New() == nil {
			t.Errorf("All()[%d] = %+v: want %s with a summary and a constructor", i, info, want[i])
		}
		if got, err := Lookup(info.Name); err != nil || got.Name != info.Name {
			t.Errorf("Lookup(%q) = %v, %v", info.Name, got.Name, err)
		}
	}
	_, err := Lookup("polling")
	if err == nil || err.Error() != `unknown strategy "polling" (valid: combined, dialer, healthwatch, identity, keepalive, watcher)` {
		t.Errorf("Lookup(polling) = %v", err)
	}
}

func TestRegisterDuplicatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering a second \"dialer\" did not panic")
		}
	}()
	Register(Info{Name: "dialer", New: func() Strategy { return Dialer{} }})
}

// TestReplayOnDial checks the dialer pattern itself: a replay after each
// successful dial and none after a failed one.
func TestReplayOnDial(t *testing.T) {
	fail := errors.New("refused")
	var replays int
	h := Hooks{
		Dial: func(_ context.Context, addr string) (net.Conn, error) {
			if addr == "down" {
				return nil, fail
			}
			c, _ := net.Pipe()
			return c, nil
		},
		Replay: func() { replays++ },
	}
	dial := replayOnDial(h)
	if _, err := dial(context.Background(), "down"); err != fail {
		t.Fatalf("dial error = %v, want the dialer's own error", err)
	}
	if replays != 0 {
		t.Fatalf("a failed dial started %d replays", replays)
	}
	c, err := dial(context.Background(), "up")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if replays != 1 {
		t.Fatalf("a successful dial started %d replays, want 1", replays)
	}
}

func TestDialOptions(t *testing.T) {
	h := Hooks{}
	for _, tc := range []struct {
		s    Strategy
		opts int
	}{
		{Dialer{}, 1},    // the dialer
		{Keepalive{}, 2}, // the dialer and keepalive
		{StateWatcher{}, 0},
		{Combined{}, 1}, // keepalive
		{HealthWatch{}, 0},
		{IdentityCheck{}, 1}, // keepalive
	} {
		if got := len(tc.s.DialOptions(h)); got != tc.opts {
			t.Errorf("%T: %d dial options, want %d", tc.s, got, tc.opts)
		}
	}
	for _, s := range []Strategy{StateWatcher{}, Combined{}, HealthWatch{}, IdentityCheck{}} {
		if _, ok := s.(Watcher); !ok {
			t.Errorf("%T does not watch the ClientConn", s)
		}
	}
}

func TestExitIdleFindsConnect(t *testing.T) {
	cc, err := grpc.Dial("passthrough:///nowhere", grpc.WithInsecure(),
		grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) { return nil, errors.New("no network") }))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	_, has := interface{}(cc).(interface{ Connect() })
	if got := exitIdle(cc); got != has {
		t.Errorf("exitIdle = %v, but ClientConn has Connect: %v", got, has)
	}
}

// TestIdentityCheck: the identity strategy replays when the identity it
// is told differs from the one it last replayed to, and only then; a
// failed check replays nothing and forgets nothing.
func TestIdentityCheck(t *testing.T) {
	answers := []struct {
		id     string
		err    error
		replay bool
	}{
		{"a", nil, true},  // the first READY
		{"a", nil, false}, // a new connection to the same instance
		{"", errors.New("deadline exceeded"), false},
		{"a", nil, false}, // still the same instance after a failed check
		{"b", nil, true},  // a restarted server
		{"b", nil, false},
		{"a", nil, true}, // identities are compared for equality only
	}
	i, replays := 0, 0
	h := Hooks{
		Identity: func(ctx context.Context) (string, error) {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("an identity check without a deadline")
			}
			a := answers[i]
			return a.id, a.err
		},
		Replay: func() { replays++ },
	}
	s := IdentityCheck{CheckTimeout: time.Second}
	var replayedTo string
	for ; i < len(answers); i++ {
		before := replays
		s.check(context.Background(), h, &replayedTo)
		if got := replays > before; got != answers[i].replay {
			t.Errorf("check %d (identity %q, error %v): replayed %v, want %v", i, answers[i].id, answers[i].err, got, answers[i].replay)
		}
	}
	s.check(context.Background(), Hooks{Replay: h.Replay}, &replayedTo) // no Identity hook: nothing to go by
	if replays != 3 {
		t.Errorf("%d replays in all, want 3", replays)
	}
}
