package strategies

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc"
)

func TestRegistry(t *testing.T) {
	want := []string{"combined", "dialer", "healthwatch", "keepalive", "watcher"}
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
	if err == nil || err.Error() != `unknown strategy "polling" (valid: combined, dialer, healthwatch, keepalive, watcher)` {
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
	} {
		if got := len(tc.s.DialOptions(h)); got != tc.opts {
			t.Errorf("%T: %d dial options, want %d", tc.s, got, tc.opts)
		}
	}
	for _, s := range []Strategy{StateWatcher{}, Combined{}, HealthWatch{}} {
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
