//go:build go1.25

package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/resultset"
)

// TestMove: a server that comes back at a new address. Behind passthrough
// the client never learns it: every dial goes to the old address, and
// the cycle is missed, the whole log lost. Behind gRPC-Go's dns resolver
// the client learns it when it resolves again, which no release does
// sooner than its minimum interval of 30 s after the lookup before (the
// first, as the cycle began, about 2 s before the fault), and no later
// than a minute: the record's TTL counts for nothing either way.
func TestMove(t *testing.T) {
	for _, tc := range []struct {
		resolver Resolver
		traffic  Traffic
		recovers bool
	}{
		{Passthrough, Idle, false},
		{Passthrough, Busy, false},
		{DNS, Idle, true},
		{DNS, Busy, true},
	} {
		sc := Scenario{Strategy: "watcher", Fault: "move", Traffic: tc.traffic, Resolver: tc.resolver}
		t.Run(sc.Name(), func(t *testing.T) {
			c := run(t, sc)
			if !c.Restarted || c.Restart != time.Second || c.Recovered != tc.recovers || c.Missed() == tc.recovers {
				t.Fatalf("restarted %v after %v, recovered %v (missed %v), want recovered %v; trace:\n%s", c.Restarted, c.Restart, c.Recovered, c.Missed(), tc.recovers, traceString(c.Trace))
			}
			if tc.recovers && (c.Recover < 25*time.Second || c.Recover > time.Minute) {
				t.Errorf("recovered %v after the fault, want 25 s to 1 min (the resolver's minimum interval, grpc-go#7186 at worst)", c.Recover)
			}
			if !tc.recovers && c.Lost != 1000 {
				t.Errorf("a missed move lost %d entries, want the whole log", c.Lost)
			}
			if c.Service != (tc.resolver == DNS) || c.NoReplay || c.RoundRobin {
				t.Errorf("service %v, no replay %v, round robin %v", c.Service, c.NoReplay, c.RoundRobin)
			}
			// Dials after the fault go to the old address until the
			// client learns the new one.
			old, moved := strings.Count(traceString(c.Trace), "127.0.10.1"), strings.Count(traceString(c.Trace), "127.0.11.1")
			if tc.resolver == DNS && (old == 0 || moved == 0) {
				t.Errorf("%d dials traced to the old address, %d to the new, want some to each", old, moved)
			}
			if tc.traffic == Busy {
				if c.RPCs == 0 || c.FailedRPCs == 0 || (!tc.recovers && c.FailedRPCs != c.RPCs) {
					t.Errorf("%d of %d RPCs failed", c.FailedRPCs, c.RPCs)
				}
			} else if c.RPCs != 0 {
				t.Errorf("an idle client made %d RPCs", c.RPCs)
			}
		})
	}
}

// TestFailover: pick_first over three backends whose first crashes or
// vanishes for 30 s. After a crash every strategy that reconnects at all
// moves to the second backend at once, long before the first is back,
// and replays there. A vanished backend only keepalive notices, 13 s on;
// the dial to it then hangs, and what follows depends on the release
// (the second backend 250 ms later from v1.7x's pick_first, which tries
// the next address while an attempt is under way; the second backend
// once gRPC's connect timeout has run out, in between; the first
// backend's fresh instance, back after 30 s, in v1.30 and v1.41, whose
// address pass shares one deadline, so the second and third backends are
// dialled with no time left and dropped at once), but keepalive always
// gets the log replayed to a store that lacked it before the deadline.
func TestFailover(t *testing.T) {
	for _, tc := range []struct {
		strategy, fault string
		traffic         Traffic
		downtime        time.Duration
		recovers        bool
		within          time.Duration
	}{
		{"watcher", "crash", Idle, time.Second, true, time.Second},
		{"watcher", "crash", Busy, time.Second, true, time.Second},
		{"healthwatch", "crash", Idle, time.Second, true, time.Second},
		{"watcher", "blackhole", Idle, 30 * time.Second, false, 0},
		{"combined", "blackhole", Idle, 30 * time.Second, true, time.Minute},
	} {
		sc := Scenario{Strategy: tc.strategy, Fault: tc.fault, Traffic: tc.traffic, Downtime: tc.downtime, Resolver: DNS, Backends: 3}
		t.Run(sc.Name(), func(t *testing.T) {
			c := run(t, sc)
			if !c.Restarted || c.Recovered != tc.recovers {
				t.Fatalf("restarted %v, recovered %v, want %v; trace:\n%s", c.Restarted, c.Recovered, tc.recovers, traceString(c.Trace))
			}
			if !tc.recovers {
				if c.Lost != 1000 {
					t.Errorf("a miss lost %d entries, want the whole log", c.Lost)
				}
				return
			}
			if c.Recover > tc.within || c.Lost != 0 || c.Duplicated != 0 {
				t.Errorf("recovered %v after the fault (want within %v), %d lost, %d duplicated", c.Recover, tc.within, c.Lost, c.Duplicated)
			}
			tr := traceString(c.Trace)
			if i := strings.Index(tr, resultset.EventRecovered); tc.fault == "crash" && (i < 0 || !strings.Contains(tr[:i], "accepted 127.0.10.2:50051")) {
				t.Errorf("no connection to the second backend before the recovery; trace:\n%s", tr)
			}
			if tc.traffic == Busy && (c.RPCs == 0 || c.FailedRPCs > c.RPCs/2) {
				t.Errorf("%d of %d RPCs failed over a failover", c.FailedRPCs, c.RPCs)
			}
		})
	}
}

// TestRolling: round_robin over three backends restarted one after
// another. The replay does not measure it: never missed, no lost or
// replayed messages. Every backend is READY again some time after the
// last one is back, 3 s after the fault, and a graceful restart moves
// the busy client's RPCs to the other backends: few fail (none on
// v1.85; on v1.30, a subchannel refused once waits out a jittered
// backoff of about a second, and for a moment no backend is READY).
func TestRolling(t *testing.T) {
	for _, tc := range []struct {
		strategy string
		traffic  Traffic
	}{
		{"watcher", Idle},
		{"watcher", Busy},
		{"dialer", Busy},
		{"keepalive", Idle},
	} {
		sc := Scenario{Strategy: tc.strategy, Fault: "rolling", Traffic: tc.traffic, Resolver: DNS, Backends: 3, Policy: RoundRobin}
		t.Run(sc.Name(), func(t *testing.T) {
			c := run(t, sc)
			if c.Restarted || c.Missed() || !c.NoReplay || !c.RoundRobin || !c.Service {
				t.Errorf("restarted %v, missed %v, no replay %v, round robin %v, service %v", c.Restarted, c.Missed(), c.NoReplay, c.RoundRobin, c.Service)
			}
			if !c.AllReady || c.AllReadyIn < 3*time.Second || c.AllReadyIn > 10*time.Second {
				t.Errorf("every backend ready: %v, %v after the fault; want 3 to 10 s; trace:\n%s", c.AllReady, c.AllReadyIn, traceString(c.Trace))
			}
			if tc.traffic == Busy && (c.RPCs < 40 || c.FailedRPCs*5 > c.RPCs) {
				t.Errorf("%d of %d RPCs failed in a rolling restart, want under a fifth", c.FailedRPCs, c.RPCs)
			}
			if got := strings.Count(traceString(c.Trace), resultset.EventServerUp); got != 6 {
				t.Errorf("%d instances started, want 6 (three backends, each restarted once)", got)
			}
		})
	}
}

// TestUnready: round_robin with a backend that never comes back within
// the cycle (a blackhole whose downtime outlasts the deadline) is never
// all ready: unready, with no time.
func TestUnready(t *testing.T) {
	sc := Scenario{Strategy: "watcher", Fault: "blackhole", Traffic: Idle, Resolver: DNS, Backends: 3, Policy: RoundRobin,
		Downtime: 5 * time.Second, Deadline: time.Second}
	c := run(t, sc)
	if c.AllReady || c.AllReadyIn != 0 || !c.RoundRobin {
		t.Errorf("all ready %v after %v, want never", c.AllReady, c.AllReadyIn)
	}
	r := Result(Env{}, sc, []Cycle{c})
	if v := values(r); v[resultset.UnitUnready] != 1 {
		t.Errorf("unready/op %v, want 1 (units %v)", v[resultset.UnitUnready], v)
	}
}
