package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/resultset"
)

// TestScenarioOf: ScenarioOf and Scenario.Cell are each other's inverse,
// every key included, a zero quiet time too.
func TestScenarioOf(t *testing.T) {
	for _, c := range []resultset.Cell{
		resultset.NewCell("watcher", "flap", "busy"),
		{Strategy: "identity", Fault: "rotate", Traffic: "rare", Downtime: 5 * time.Minute, Quiet: 45 * time.Minute, Client: "newclient",
			Resolver: "passthrough", Backends: 1, Policy: "pick_first"},
		{Strategy: "dialer", Fault: "crash", Traffic: "idle", Downtime: 30 * time.Second, Quiet: 0, Client: "dial",
			Resolver: "dns", Backends: 3, Policy: "round_robin"},
	} {
		sc := ScenarioOf(c)
		if sc.Strategy != c.Strategy || sc.Fault != c.Fault || string(sc.Traffic) != c.Traffic || sc.Downtime != c.Downtime ||
			sc.quiet() != c.Quiet || string(sc.Client) != c.Client ||
			string(sc.Resolver) != c.Resolver || sc.Backends != c.Backends || string(sc.Policy) != c.Policy {
			t.Errorf("ScenarioOf(%v) = %+v", c, sc)
		}
		if got := sc.Cell(); got != c {
			t.Errorf("ScenarioOf(%v).Cell() = %v: not the inverse", c, got)
		}
		if got := ScenarioOf(sc.Cell()); got != sc {
			t.Errorf("ScenarioOf(%+v.Cell()) = %+v", sc, got)
		}
	}
	// A scenario's zero fields are the defaults, which its cell names.
	if got, want := (Scenario{Strategy: "a", Fault: "b", Traffic: "c"}).Cell(), resultset.NewCell("a", "b", "c"); got != want {
		t.Errorf("the cell of a scenario with defaults is %v, want %v", got, want)
	}
}

// TestMatrixScenarios: the matrix expands every list of values, in the
// order of the keys of a name, the last varying fastest; a zero quiet
// time in the list is no quiet time.
func TestMatrixScenarios(t *testing.T) {
	m := Matrix{Strategies: []string{"watcher"}, Faults: []string{"crash"}, Traffic: []Traffic{Idle, Rare},
		Downtimes: []time.Duration{time.Second, 5 * time.Minute}, Quiets: []time.Duration{0, 45 * time.Minute},
		Clients: []Client{Dial, NewClient}, Count: 1, Cycles: 1, Clock: Virtual}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sc := range m.Scenarios() {
		names = append(names, strings.TrimPrefix(sc.Name(), "Reconnect/strategy=watcher/fault=crash/"))
	}
	want := []string{
		"traffic=idle/downtime=1s/quiet=0s/client=dial", "traffic=idle/downtime=1s/quiet=0s/client=newclient",
		"traffic=idle/downtime=1s/quiet=45m0s/client=dial", "traffic=idle/downtime=1s/quiet=45m0s/client=newclient",
		"traffic=idle/downtime=5m0s/quiet=0s/client=dial", "traffic=idle/downtime=5m0s/quiet=0s/client=newclient",
		"traffic=idle/downtime=5m0s/quiet=45m0s/client=dial", "traffic=idle/downtime=5m0s/quiet=45m0s/client=newclient",
	}
	for i := range want {
		want = append(want, strings.Replace(want[i], "idle", "rare", 1))
	}
	for i := range want {
		want[i] += "/resolver=passthrough/backends=1/policy=pick_first"
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("scenarios:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	// The service lists leave out what no cell can have: several
	// backends behind passthrough, a rolling restart of one.
	m = Matrix{Strategies: []string{"watcher"}, Faults: []string{"crash", "rolling"}, Traffic: []Traffic{Idle},
		Resolvers: []Resolver{Passthrough, DNS}, Backends: []int{1, 3}, Policies: []Policy{RoundRobin}, Count: 1, Cycles: 1, Clock: Virtual}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, sc := range m.Scenarios() {
		names = append(names, strings.TrimPrefix(sc.Name(), "Reconnect/strategy=watcher/fault="))
	}
	svc := []string{
		"crash/traffic=idle/downtime=1s/quiet=2s/client=dial/resolver=passthrough/backends=1/policy=round_robin",
		"crash/traffic=idle/downtime=1s/quiet=2s/client=dial/resolver=dns/backends=1/policy=round_robin",
		"crash/traffic=idle/downtime=1s/quiet=2s/client=dial/resolver=dns/backends=3/policy=round_robin",
		"rolling/traffic=idle/downtime=1s/quiet=2s/client=dial/resolver=dns/backends=3/policy=round_robin",
	}
	if strings.Join(names, " ") != strings.Join(svc, " ") {
		t.Errorf("service scenarios:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(svc, "\n"))
	}
	m = Matrix{Strategies: []string{"watcher"}, Faults: []string{"crash"}, Traffic: []Traffic{Idle, Rare},
		Downtimes: []time.Duration{time.Second, 5 * time.Minute}, Quiets: []time.Duration{0, 45 * time.Minute},
		Clients: []Client{Dial, NewClient}, Count: 1, Cycles: 1, Clock: Virtual}
	// Empty lists take the base scenario's values.
	m.Downtimes, m.Quiets, m.Clients = nil, nil, nil
	m.Base.Downtime = 30 * time.Second
	for _, sc := range m.Scenarios() {
		if c := sc.Cell(); c.Downtime != 30*time.Second || c.Quiet != DefaultQuiet || c.Client != "dial" {
			t.Errorf("with empty lists: %v", c)
		}
	}
}

func TestParseDurations(t *testing.T) {
	ds, err := ParseDurations("quiet", "2s, 45m 0s,1m30s")
	if err != nil || len(ds) != 4 || ds[1] != 45*time.Minute || ds[2] != 0 || ds[3] != 90*time.Second {
		t.Errorf("ParseDurations = %v, %v", ds, err)
	}
	_, err = ParseDurations("downtime", "1s 5min")
	if err == nil || err.Error() != `downtime "5min": not a duration (valid: Go durations such as 1s, 30s, 5m, 45m)` {
		t.Errorf("a bad duration: %v", err)
	}
}
