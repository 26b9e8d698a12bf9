//go:build go1.25

package bench

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"google.golang.org/grpc"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/strategies"
)

// idleChannelsStayIdle reports whether the linked gRPC-Go lets a channel
// whose connection was lost sit in IDLE until an RPC or Connect() wakes it,
// as every release since v1.41 does. The unit tests run against go.mod's
// release; the version matrix covers the others.
func idleChannelsStayIdle(t *testing.T) bool {
	minor, err := strconv.Atoi(strings.Split(grpc.Version, ".")[1])
	if err != nil {
		t.Fatalf("cannot parse grpc.Version %q", grpc.Version)
	}
	return minor >= 41
}

// TestStrategiesRecover checks, for every strategy, fault and traffic mode,
// whether the strategy recovers, and that a recovery leaves the fresh
// server with exactly the client's log; after a rotation, that the server
// kept the log and nothing counts as missed.
func TestStrategiesRecover(t *testing.T) {
	idleStays := idleChannelsStayIdle(t)
	keepalive := map[string]bool{"keepalive": true, "combined": true, "identity": true}
	// A strategy recovers when something notices the loss and something
	// makes the channel dial again; maybe is a race between the rare
	// traffic's one RPC, gRPC's jittered backoff and a flapping server.
	const (
		no = iota
		yes
		maybe
	)
	wokenRetry := wokenChannelsRetry(grpc.Version)
	recovers := func(strategy, fault string, traffic Traffic) int {
		if fault == "blackhole" && !keepalive[strategy] {
			return no // nothing but keepalive notices a silent peer
		}
		if strategy != "dialer" && strategy != "keepalive" || !idleStays {
			return yes
		}
		// Only a dial triggers the replay, and an idle channel never
		// dials: only traffic wakes it.
		switch {
		case traffic == Idle:
			return no
		case traffic == Rare && fault == "blackhole":
			return no // the one RPC comes before keepalive notices
		case traffic == Rare && !wokenRetry:
			return no // woken for one attempt, refused, idle again
		case traffic == Rare && fault == "flap":
			// The RPC wakes the channel, whose backoff may land it on
			// the short-lived second server: then it goes idle again.
			return maybe
		}
		return yes
	}
	for _, sc := range DefaultMatrix().Scenarios() {
		t.Run(sc.Name(), func(t *testing.T) {
			c, err := RunOn(t, Virtual, sc)
			if err != nil {
				t.Fatal(err)
			}
			info, _ := strategies.Lookup(sc.Strategy)
			if info.NoSpurious && c.Spurious != 0 {
				t.Errorf("%d spurious replays from a strategy that claims none; trace:\n%s", c.Spurious, traceString(c.Trace))
			}
			if sc.Fault == "rotate" {
				// The server kept its state: nothing to recover.
				if c.Restarted || c.Missed() || c.Recovered || c.Restart != 0 || c.Lost != 0 || c.Corrupt != 0 {
					t.Errorf("after a rotation: %+v, want the server kept, nothing missed or recovered, nothing lost", c)
				}
				return
			}
			if want := scheduledRestart(t, sc.Fault, DefaultDowntime); !c.Restarted || c.Restart != want {
				t.Errorf("the last server started %v after the fault (restarted %v); on the virtual clock it must be exactly the schedule, %v", c.Restart, c.Restarted, want)
			}
			want := recovers(sc.Strategy, sc.Fault, sc.Traffic)
			if want == maybe {
				want = no
				if c.Recovered {
					want = yes
				}
			}
			if c.Recovered != (want == yes) || c.Missed() != (want == no) {
				t.Fatalf("recovered = %v (missed %v), want %v; trace:\n%s", c.Recovered, c.Missed(), want == yes, traceString(c.Trace))
			}
			if c.Corrupt != 0 {
				t.Errorf("%d corrupt entries", c.Corrupt)
			}
			if !c.Recovered {
				if c.Lost != 1000 {
					t.Errorf("missed cycle: lost = %d, want the whole log (1000)", c.Lost)
				}
				return
			}
			if c.Lost != 0 || c.Duplicated != 0 || c.Replays != 1 {
				t.Errorf("tally %+v, want nothing lost, nothing duplicated, one replay", c.Tally)
			}
			if c.Recover < DefaultDowntime && sc.Fault != "blackhole" {
				t.Errorf("recovered after %v, before the server was back (%v)", c.Recover, DefaultDowntime)
			}
			if c.Dials < 1 {
				t.Errorf("recovered with %d dials", c.Dials)
			}
		})
	}
}

// TestDetect checks when the client gives up the broken connection: at once
// when the server resets or closes it, after the keepalive ping times out
// when the server vanishes, and never without keepalive.
func TestDetect(t *testing.T) {
	// The ping goes out KeepaliveParams.Time after the last bytes read, the
	// end of the first replay, which is the quiet time before the fault.
	kaDetect := strategies.KeepaliveParams.Time + strategies.KeepaliveParams.Timeout - DefaultQuiet
	for _, tc := range []struct {
		strategy, fault string
		detected        bool
		detect          time.Duration
	}{
		{"watcher", "crash", true, 0},
		{"watcher", "graceful", true, 0},
		{"watcher", "flap", true, 0},
		{"watcher", "blackhole", false, 0},
		{"healthwatch", "blackhole", false, 0},
		{"combined", "blackhole", true, kaDetect},
		{"keepalive", "blackhole", true, kaDetect},
	} {
		t.Run(tc.strategy+"/"+tc.fault, func(t *testing.T) {
			c, err := RunOn(t, Virtual, Scenario{Strategy: tc.strategy, Fault: tc.fault, Traffic: Idle})
			if err != nil {
				t.Fatal(err)
			}
			if c.Detected != tc.detected || c.Detect != tc.detect {
				t.Fatalf("detected %v after %v, want %v after %v; trace:\n%s", c.Detected, c.Detect, tc.detected, tc.detect, traceString(c.Trace))
			}
		})
	}
}

// TestDeadline checks that a strategy that never recovers is a miss after
// exactly the deadline, not a hang and not an error.
func TestDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sc := Scenario{Strategy: "dialer", Fault: "crash", Traffic: Idle, Deadline: 7 * time.Second}
		if !idleChannelsStayIdle(t) {
			t.Skip("this gRPC-Go release reconnects idle channels by itself")
		}
		start := time.Now()
		c, err := Run(t.Context(), sc)
		if err != nil {
			t.Fatal(err)
		}
		if c.Recovered {
			t.Fatal("the dialer strategy recovered an idle channel")
		}
		// First replay (instant on the fake clock), quiet, downtime, deadline.
		if got, want := time.Since(start), DefaultQuiet+DefaultDowntime+sc.Deadline; got != want {
			t.Errorf("the cycle took %v of virtual time, want %v", got, want)
		}
	})
}

// never is a strategy that never replays.
var never = &strategies.Info{Name: "never", New: func() strategies.Strategy { return neverStrategy{} }}

type neverStrategy struct{}

func (neverStrategy) DialOptions(strategies.Hooks) []grpc.DialOption { return nil }

func TestSetupTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, err := Run(t.Context(), Scenario{Plugin: never, Fault: "crash", Traffic: Idle, Setup: 5 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "first replay did not complete within 5s") {
			t.Fatalf("err = %v, want the first replay to time out", err)
		}
	})
}

func TestRunRejectsBadScenario(t *testing.T) {
	for _, tc := range []struct {
		sc   Scenario
		want string
	}{
		{Scenario{Strategy: "nope", Fault: "crash", Traffic: Idle}, `unknown strategy "nope" (valid: combined, dialer, healthwatch, identity, keepalive, watcher)`},
		{Scenario{Strategy: "watcher", Fault: "meteor", Traffic: Idle}, `unknown fault "meteor" (valid: blackhole, crash, flap, graceful, move, rolling, rotate)`},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: "chatty"}, `unknown traffic mode "chatty" (valid: idle, busy, stream, rare)`},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, Downtime: -time.Second}, "downtime -1s: must be more than 0"},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, Quiet: -time.Minute}, "quiet -1m0s: must not be negative"},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, Client: "grpc"}, `unknown client "grpc" (valid: dial, newclient)`},
		{Scenario{Strategy: "watcher", Fault: "rotate", Traffic: Idle, Quiet: NoQuiet}, "quiet 0s: the rotate fault needs a quiet time of at least 1ms"},
		{Scenario{Strategy: "watcher", Fault: "rotate", Traffic: Idle, Quiet: time.Microsecond}, "quiet 1µs: the rotate fault needs"},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, Entries: -1}, "log entries -1: must be at least 1"},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, EntrySize: 4}, "log entry size 4: must be at least 8 bytes"},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, Resolver: "consul"}, `unknown resolver "consul" (valid: passthrough, dns)`},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, Policy: "random"}, `unknown policy "random" (valid: pick_first, round_robin)`},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, Backends: -1}, "backends -1: must be at least 1"},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, Backends: 3}, "backends 3: a passthrough target names one address; several backends need resolver dns"},
		{Scenario{Strategy: "watcher", Fault: "rolling", Traffic: Idle, Resolver: DNS}, "fault rolling restarts backends one after another: it needs backends of at least 2"},
		{Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle, Resolver: DNS, Backends: 3, Net: TCP}, "backends 3: net tcp has one backend; several run on netsim only"},
		{Scenario{Strategy: "watcher", Fault: "rolling", Traffic: Idle, Resolver: DNS, Backends: 3, Policy: RoundRobin, Net: TCP}, "net tcp has one backend"},
	} {
		_, err := Run(context.Background(), tc.sc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Run(%+v) = %v, want an error containing %q", tc.sc, err, tc.want)
		}
	}
}

// TestTrace checks that a cycle's trace tells the story in order.
func TestTrace(t *testing.T) {
	c, err := RunOn(t, Virtual, Scenario{Strategy: "watcher", Fault: "crash", Traffic: Idle})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{resultset.EventFault, resultset.EventGiveUp, resultset.EventServerUp, resultset.EventRecovered}
	i := 0
	for _, e := range c.Trace {
		if i < len(want) && e.Kind == want[i] {
			i++
		}
		if i > 0 && e.At < 0 {
			t.Errorf("event %v before the fault is listed after it", e)
		}
	}
	if i != len(want) {
		t.Fatalf("trace lacks %v in order; got:\n%s", want[i:], traceString(c.Trace))
	}
}

// TestRealClock runs one short cycle on the wall clock, the cross-check of
// the virtual clock, on the same code path.
func TestRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("real-clock cycle takes about two seconds")
	}
	sc := Scenario{Strategy: "healthwatch", Fault: "crash", Traffic: Idle, Quiet: 100 * time.Millisecond, Settle: 100 * time.Millisecond, Downtime: 200 * time.Millisecond, Deadline: 20 * time.Second}
	c, err := RunOn(t, Real, sc)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Recovered || c.Recover < sc.Downtime {
		t.Fatalf("recovered %v after %v; want a recovery after the %v downtime; trace:\n%s", c.Recovered, c.Recover, sc.Downtime, traceString(c.Trace))
	}
}

func TestDetection(t *testing.T) {
	t0 := time.Date(2000, 1, 1, 0, 0, 10, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	end := at(30)
	for _, tc := range []struct {
		name                string
		conns               []netsim.ConnInfo
		known               int // made before the fault was injected; all unless given
		connected, detected bool
		detect              time.Duration
	}{
		// Nothing open at the fault (a client idle timeout closed it):
		// nothing to give up, nothing undetected, and no time.
		{"none", nil, -1, false, true, 0},
		{"closed before the fault", []netsim.ConnInfo{{Opened: at(-9), Closed: at(-1)}}, -1, false, true, 0},
		{"closed at the fault", []netsim.ConnInfo{{Opened: at(-5), Closed: at(0)}}, -1, true, true, 0},
		{"closed later", []netsim.ConnInfo{{Opened: at(-5), Closed: at(13)}}, -1, true, true, 13 * time.Second},
		{"never closed", []netsim.ConnInfo{{Opened: at(-5)}}, -1, true, false, 0},
		{"closed after the end", []netsim.ConnInfo{{Opened: at(-5), Closed: at(31)}}, -1, true, false, 0},
		{"the last of two", []netsim.ConnInfo{{Opened: at(-5), Closed: at(1)}, {Opened: at(-4), Closed: at(2)}}, -1, true, true, 2 * time.Second},
		{"one of two still open", []netsim.ConnInfo{{Opened: at(-5), Closed: at(1)}, {Opened: at(-4)}}, -1, true, false, 0},
		{"new connections do not count", []netsim.ConnInfo{{Opened: at(-5), Closed: at(1)}, {Opened: at(2)}}, -1, true, true, time.Second},
		{"old closed connections do not count", []netsim.ConnInfo{{Opened: at(-9), Closed: at(-8)}, {Opened: at(-5), Closed: at(3)}}, -1, true, true, 3 * time.Second},
		// Made at the fault's instant: the client's reconnect after a
		// rotation, unless it was made before the fault was injected
		// (a fault right after the first replay).
		{"reconnect at the fault", []netsim.ConnInfo{{Opened: at(-5), Closed: at(0)}, {Opened: at(0)}}, 1, true, true, 0},
		{"made at the fault, before it", []netsim.ConnInfo{{Opened: at(0), Closed: at(2)}}, 1, true, true, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			known := tc.known
			if known < 0 {
				known = len(tc.conns)
			}
			connected, detected, detect := detection(tc.conns, known, t0, end)
			if connected != tc.connected || detected != tc.detected || detect != tc.detect {
				t.Errorf("detection = %v, %v, %v; want %v, %v, %v", connected, detected, detect, tc.connected, tc.detected, tc.detect)
			}
		})
	}
}

func traceString(trace []resultset.Event) string {
	var b strings.Builder
	WriteTrace(&b, trace)
	return b.String()
}

// scheduledRestart is when fault brings the last server instance back,
// counted from the fault.
func scheduledRestart(t *testing.T, fault string, downtime time.Duration) time.Duration {
	f, err := netsim.LookupFault(fault)
	if err != nil {
		t.Fatal(err)
	}
	if flap, ok := f.(netsim.Flap); ok {
		return time.Duration(flap.Times)*downtime + time.Duration(flap.Times-1)*flap.Up
	}
	return downtime
}
