//go:build go1.25

package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/resultset"
)

// TestTCPCycle runs restart cycles on real loopback TCP with the server a
// separate process: the path make validate takes. Short downtimes and
// settles keep it to a few seconds of wall time.
func TestTCPCycle(t *testing.T) {
	for _, tc := range []struct {
		strategy, fault string
		recovers        bool
		minDials        int
	}{
		{"combined", "crash", true, 1},
		{"combined", "graceful", true, 1},
		{"combined", "flap", true, 3},
		// Only keepalive notices a silent peer, after 15 s: too long here.
		// The watcher's miss checks that the proxy really goes silent.
		{"watcher", "blackhole", false, 0},
	} {
		t.Run(tc.strategy+"/"+tc.fault, func(t *testing.T) {
			t.Parallel()
			sc := Scenario{Net: TCP, Strategy: tc.strategy, Fault: tc.fault, Traffic: Busy,
				Downtime: 300 * time.Millisecond, Quiet: 200 * time.Millisecond, Settle: 200 * time.Millisecond, Deadline: 3 * time.Second}
			start := time.Now()
			c, err := RunOn(t, Real, sc)
			if err != nil {
				t.Fatal(err)
			}
			if c.Recovered != tc.recovers {
				t.Fatalf("recovered = %v, want %v; trace:\n%s", c.Recovered, tc.recovers, traceString(c.Trace))
			}
			servers := strings.Count(traceString(c.Trace), resultset.EventServerUp)
			if !c.Recovered {
				if c.Detected || c.Lost != 1000 {
					t.Errorf("blackhole: detected = %v, lost = %d; want silence noticed by nobody and the whole log lost", c.Detected, c.Lost)
				}
				return
			}
			if c.Lost != 0 || c.Duplicated != 0 || c.Corrupt != 0 || c.Replays < 1 {
				t.Errorf("tally %+v, want the whole log, once, intact", c.Tally)
			}
			if !c.Detected || c.Detect > c.Recover {
				t.Errorf("detected = %v after %v; want the broken connection given up before the recovery at %v", c.Detected, c.Detect, c.Recover)
			}
			if c.Recover < sc.Downtime || c.Recover > time.Since(start) {
				t.Errorf("recovered after %v; want after the downtime (%v) and within the cycle", c.Recover, sc.Downtime)
			}
			if want := scheduledRestart(t, tc.fault, sc.Downtime); c.Restart < want {
				t.Errorf("the last server process served %v after the fault, before its schedule (%v)", c.Restart, want)
			}
			if c.Dials < tc.minDials {
				t.Errorf("%d dials, want at least %d (one per restart)", c.Dials, tc.minDials)
			}
			if servers < 2 {
				t.Errorf("%d server-up events in the trace, want the restart's", servers)
			}
		})
	}
}

// TestTCPRotate runs rotate cycles on real TCP: the server process's own
// connection-age limit rotates the client's connection, which held a
// stream, so the client lets it go only when the grace period cuts the
// stream; the process serves on with its store, so nothing is missed or
// restarted, and a replay now is spurious: the watcher makes one on its
// return to READY, identity none. The settle is the default 2 s: from
// v1.61 gRPC waits up to 1 s after the grace period before it closes the
// connection.
func TestTCPRotate(t *testing.T) {
	for _, tc := range []struct {
		strategy string
		spurious int
	}{
		{"watcher", 1},
		{"identity", 0},
	} {
		t.Run(tc.strategy, func(t *testing.T) {
			t.Parallel()
			sc := Scenario{Net: TCP, Strategy: tc.strategy, Fault: "rotate", Traffic: Stream,
				Downtime: 300 * time.Millisecond, Quiet: time.Second}
			c, err := RunOn(t, Real, sc)
			if err != nil {
				t.Fatal(err)
			}
			trace := traceString(c.Trace)
			if c.Restarted || c.Missed() || c.Lost != 0 || strings.Count(trace, resultset.EventServerUp) != 1 {
				t.Errorf("restarted = %v, missed = %v, lost %d; want the one server process, holding the log; trace:\n%s", c.Restarted, c.Missed(), c.Lost, trace)
			}
			if !c.Connected || !c.Detected || c.Detect < sc.Downtime {
				t.Errorf("connected = %v, detected = %v after %v; want the rotated connection given up after the grace period (%v); trace:\n%s",
					c.Connected, c.Detected, c.Detect, sc.Downtime, trace)
			}
			if c.Dials < 1 {
				t.Errorf("%d dials after the GOAWAY, want the reconnect", c.Dials)
			}
			if c.Spurious != tc.spurious || c.Replays != tc.spurious {
				t.Errorf("%d spurious replays, %d replays after the first; want %d; trace:\n%s", c.Spurious, c.Replays, tc.spurious, trace)
			}
		})
	}
}

func TestNetNeedsRealClock(t *testing.T) {
	_, err := RunOn(t, Virtual, Scenario{Net: TCP, Strategy: "watcher", Fault: "crash", Traffic: Idle})
	if err == nil || !strings.Contains(err.Error(), "clock virtual") {
		t.Fatalf("a tcp cycle on the virtual clock: error %v, want one naming the clock", err)
	}
	_, err = RunOn(t, Real, Scenario{Net: "udp", Strategy: "watcher", Fault: "crash", Traffic: Idle})
	if err == nil || !strings.Contains(err.Error(), `"udp"`) || !strings.Contains(err.Error(), "netsim, tcp") {
		t.Fatalf("net udp: error %v, want one naming it and the valid networks", err)
	}
}

// TestTCPMove moves the server process to another loopback address on
// real TCP. Behind gRPC-Go's dns resolver, asking a DNS server on
// loopback, the client learns the new address when it resolves again
// (gRPC-Go waits at least 30 s between resolutions, so this test takes
// about that long); pick_first recovers there, and round_robin has its
// one backend READY again. Behind passthrough it never learns it: a miss,
// and every dial after the fault goes to the old address.
func TestTCPMove(t *testing.T) {
	for _, tc := range []struct {
		name     string
		resolver Resolver
		policy   Policy
		recovers bool
	}{
		{"dns/pick_first", DNS, PickFirst, true},
		{"dns/round_robin", DNS, RoundRobin, false},
		{"passthrough", Passthrough, PickFirst, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := Scenario{Net: TCP, Strategy: "combined", Fault: "move", Traffic: Idle, Resolver: tc.resolver, Policy: tc.policy,
				Downtime: 300 * time.Millisecond, Quiet: 200 * time.Millisecond, Settle: 200 * time.Millisecond, Deadline: 45 * time.Second}
			if tc.resolver == Passthrough {
				sc.Deadline = 2 * time.Second
			}
			c, err := RunOn(t, Real, sc)
			if err != nil {
				t.Fatal(err)
			}
			trace := traceString(c.Trace)
			if c.Recovered != tc.recovers || c.Missed() != (tc.policy == PickFirst && !tc.recovers) {
				t.Fatalf("recovered = %v, missed = %v, want recovered %v; trace:\n%s", c.Recovered, c.Missed(), tc.recovers, trace)
			}
			moved := strings.Count(trace, movedIP)
			switch {
			case tc.resolver == Passthrough && moved > 0:
				t.Errorf("passthrough dialed the new address; trace:\n%s", trace)
			case tc.resolver == DNS && moved == 0:
				t.Errorf("no dial to the new address %s; trace:\n%s", movedIP, trace)
			}
			if tc.policy == RoundRobin && (!c.AllReady || c.AllReadyIn < sc.Downtime) {
				t.Errorf("all ready = %v after %v; want the moved backend READY after the downtime; trace:\n%s", c.AllReady, c.AllReadyIn, trace)
			}
			if tc.recovers && (c.Lost != 0 || c.Replays < 1) {
				t.Errorf("tally %+v, want the whole log on the moved server", c.Tally)
			}
		})
	}
}
