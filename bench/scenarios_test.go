//go:build go1.25

package bench

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/reconnbench/reconnbench/resultset"
)

// grpcMinor is the minor version of the linked gRPC-Go. The unit tests run
// against go.mod's release; the version matrix covers the others.
func grpcMinor(t *testing.T) int {
	minor, err := strconv.Atoi(strings.Split(grpc.Version, ".")[1])
	if err != nil {
		t.Fatalf("cannot parse grpc.Version %q", grpc.Version)
	}
	return minor
}

// idleTimeoutBelow45m reports whether the linked release closes a channel
// that has had no RPC for 30 minutes, as every release from v1.59 does
// by default (dialoptions.go, idleTimeout).
func idleTimeoutBelow45m(t *testing.T) bool { return grpcMinor(t) >= 59 }

func run(t *testing.T, sc Scenario) Cycle {
	t.Helper()
	c, err := RunOn(t, Virtual, sc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLongDowntime: a rolling deploy's 30 s and an outage's 5 min cost
// nothing on the virtual clock; the server is back exactly on schedule,
// and the strategies that recover do so once gRPC's backoff, grown
// meanwhile, next tries: at most 120 s (+20% jitter) after the server is
// back, inside the longer deadline that long downtimes get.
func TestLongDowntime(t *testing.T) {
	for _, downtime := range []time.Duration{30 * time.Second, 5 * time.Minute} {
		for _, strategy := range []string{"watcher", "healthwatch", "identity"} {
			sc := Scenario{Strategy: strategy, Fault: "crash", Traffic: Idle, Downtime: downtime}
			t.Run(sc.Name(), func(t *testing.T) {
				wantDeadline := DefaultDeadline
				if downtime > LongDowntime {
					wantDeadline = LongDeadline
				}
				if d := sc.withDefaults().Deadline; d != wantDeadline {
					t.Errorf("deadline %v, want %v", d, wantDeadline)
				}
				c := run(t, sc)
				if !c.Restarted || c.Restart != downtime {
					t.Errorf("server back %v after the fault (restarted %v), want exactly %v", c.Restart, c.Restarted, downtime)
				}
				if !c.Recovered || c.Recover < downtime || c.Recover > downtime+144*time.Second {
					t.Errorf("recovered %v after %v; want within one maximum backoff (144 s) of the server's return at %v; trace:\n%s",
						c.Recovered, c.Recover, downtime, traceString(c.Trace))
				}
				if c.Lost != 0 || c.Duplicated != 0 || c.Spurious != 0 {
					t.Errorf("tally %+v, %d spurious", c.Tally, c.Spurious)
				}
			})
		}
	}
}

// TestLongQuiet: 45 minutes of quiet before a crash, free on the virtual
// clock, cross the client's 30 min idle timeout on the releases that have
// one. The channel then closes its connection by itself: the watcher
// reconnects at once (Connect() on IDLE) and replays to a server that
// holds the log, a spurious replay; identity reconnects and replays
// nothing; the dialer leaves nothing open for the crash to break.
func TestLongQuiet(t *testing.T) {
	idles := idleTimeoutBelow45m(t)
	spuriousIfIdles := 0
	if idles {
		spuriousIfIdles = 1
	}
	for _, tc := range []struct {
		strategy  string
		recovered bool
		spurious  int
		connected bool // a connection open at the fault
	}{
		{"watcher", true, spuriousIfIdles, true},
		{"identity", true, 0, true},
		{"healthwatch", true, 0, true}, // its watch stream keeps the channel busy
		{"dialer", grpcMinor(t) < 41, 0, !idles},
	} {
		sc := Scenario{Strategy: tc.strategy, Fault: "crash", Traffic: Idle, Quiet: 45 * time.Minute}
		t.Run(sc.Name(), func(t *testing.T) {
			c := run(t, sc)
			if c.Trace[0].At > -45*time.Minute {
				t.Errorf("the first event is %v before the fault, want 45 min or more", -c.Trace[0].At)
			}
			if c.Recovered != tc.recovered || c.Missed() == tc.recovered || c.Spurious != tc.spurious || c.Connected != tc.connected {
				t.Errorf("recovered %v, missed %v, %d spurious replays, connected %v; want %v, %v, %d, %v; trace:\n%s",
					c.Recovered, c.Missed(), c.Spurious, c.Connected, tc.recovered, !tc.recovered, tc.spurious, tc.connected, traceString(c.Trace))
			}
			if !c.Connected && (!c.Detected || c.Detect != 0) {
				t.Errorf("nothing open at the fault, yet detected %v after %v", c.Detected, c.Detect)
			}
		})
	}
}

// TestRotate: the server ends the client's connection with GOAWAY and
// serves on with the same store. Nothing is to be recovered: no cycle is
// missed, every replay after the first is spurious, and duplicates it. The
// strategies that replay on every reconnect replay whenever something
// reconnects the channel; identity never does.
func TestRotate(t *testing.T) {
	idleStays := idleChannelsStayIdle(t)
	for _, strategy := range []string{"dialer", "keepalive", "watcher", "combined", "healthwatch", "identity"} {
		for _, traffic := range TrafficModes() {
			sc := Scenario{Strategy: strategy, Fault: "rotate", Traffic: traffic}
			t.Run(sc.Name(), func(t *testing.T) {
				c := run(t, sc)
				if c.Restarted || c.Missed() || c.Recovered || c.Restart != 0 || c.Lost != 0 || c.Corrupt != 0 {
					t.Errorf("%+v: want the server kept, nothing recovered, missed or lost", c)
				}
				if c.Replays != c.Spurious || c.Duplicated != 1000*c.Spurious {
					t.Errorf("%d replays after the first, %d duplicates, %d spurious: every later replay is spurious", c.Replays, c.Duplicated, c.Spurious)
				}
				if !c.Connected || !c.Detected {
					t.Errorf("connected %v, detected %v: the rotated connection must close", c.Connected, c.Detected)
				}
				var want string // of the spurious replays: "none", "some"
				switch {
				case strategy == "identity":
					want = "none"
				case (strategy == "dialer" || strategy == "keepalive") && traffic == Idle && idleStays:
					want = "none" // nothing wakes the channel after the GOAWAY
				default:
					want = "some"
				}
				if got := map[bool]string{true: "none", false: "some"}[c.Spurious == 0]; got != want {
					t.Errorf("%d spurious replays, want %s; trace:\n%s", c.Spurious, want, traceString(c.Trace))
				}
				for _, e := range c.Trace {
					if e.Kind == resultset.EventServerUp && e.At >= 0 {
						t.Errorf("a server instance started %v after the fault", e.At)
					}
				}
			})
		}
	}
}

// TestRareRPC: the rare traffic makes exactly one RPC, half way through
// the downtime, inside the outage, and nothing before or after it.
func TestRareRPC(t *testing.T) {
	for _, tc := range []struct {
		fault    string
		downtime time.Duration
		ok       bool // whether the RPC succeeds
	}{
		{"crash", time.Second, false},
		{"crash", 30 * time.Second, false},
		{"graceful", 30 * time.Second, false},
		{"rotate", 30 * time.Second, true}, // the server is up through the grace period
	} {
		sc := Scenario{Strategy: "watcher", Fault: tc.fault, Traffic: Rare, Downtime: tc.downtime}
		t.Run(sc.Name(), func(t *testing.T) {
			c := run(t, sc)
			var rpcs []resultset.Event
			for _, e := range c.Trace {
				if e.Kind == resultset.EventRPC {
					rpcs = append(rpcs, e)
				}
			}
			if len(rpcs) != 1 || rpcs[0].At < tc.downtime/2 || rpcs[0].At > tc.downtime/2+BusyTimeout || rpcs[0].At >= tc.downtime {
				t.Fatalf("RPCs %v; want one, ending within %v of %v after the fault, inside the %v downtime", rpcs, BusyTimeout, tc.downtime/2, tc.downtime)
			}
			if ok := rpcs[0].Detail == "ok"; ok != tc.ok {
				t.Errorf("the RPC ended with %q, want success %v", rpcs[0].Detail, tc.ok)
			}
		})
	}
}
