package bench

import (
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/strategies"
)

// TestDefaultSetCoversEveryValue checks the promise of the default set:
// the base situation in every combination, and every other value of each
// situation key against every strategy.
func TestDefaultSetCoversEveryValue(t *testing.T) {
	cells := DefaultSet()
	has := map[resultset.Cell]bool{}
	for _, c := range cells {
		if has[c] {
			t.Errorf("%s twice", c)
		}
		has[c] = true
	}
	for _, s := range strategies.Names() {
		for _, f := range BaseFaults() {
			for _, tr := range TrafficModes() {
				c := resultset.NewCell(s, f, string(tr))
				if !has[c] {
					t.Errorf("the base situation lacks %s", c)
				}
			}
		}
		// Every strategy meets the services: a moved server behind
		// either resolver (passthrough for an idle client only) and
		// with either policy, pick_first's failover, round_robin's
		// rolling restart, each for an idle client and a busy one.
		if c := withService(resultset.NewCell(s, "move", string(Idle)), single); !has[c] {
			t.Errorf("the default set lacks %s", c)
		}
		for _, tr := range []Traffic{Idle, Busy} {
			for _, want := range []resultset.Cell{
				withService(resultset.NewCell(s, "move", string(tr)), singleDNS),
				withService(resultset.NewCell(s, "move", string(tr)), singleRR),
				withService(resultset.NewCell(s, "crash", string(tr)), pickFirst3),
				withService(thirty(resultset.NewCell(s, "blackhole", string(tr))), pickFirst3),
				withService(resultset.NewCell(s, "rolling", string(tr)), roundRobin),
			} {
				if !has[want] {
					t.Errorf("the default set lacks %s", want)
				}
			}
		}
		seen := map[string]bool{}
		for _, c := range cells {
			if c.Strategy != s {
				continue
			}
			seen["downtime="+c.Downtime.String()] = true
			seen["quiet="+c.Quiet.String()] = true
			seen["client="+c.Client] = true
		}
		for _, d := range SetDowntimes {
			if !seen["downtime="+d.String()] {
				t.Errorf("%s never meets downtime %v", s, d)
			}
		}
		for _, q := range SetQuiets {
			if !seen["quiet="+q.String()] {
				t.Errorf("%s never meets quiet %v", s, q)
			}
		}
		for _, cl := range SetClients {
			if !seen["client="+string(cl)] {
				t.Errorf("%s never meets client %s", s, cl)
			}
		}
	}
	// The full set is the cross product less the services a fault
	// cannot have: every fault of one server meets the six services
	// (passthrough with one backend and either policy, dns with one or
	// three and either policy), rolling the two with three backends.
	services := len(BaseFaults())*6 + 2 + 6 // move meets all six
	if all := AllSet(); len(all) != len(strategies.Names())*len(TrafficModes())*len(SetDowntimes)*len(SetQuiets)*len(SetClients)*services {
		t.Errorf("the full set has %d cells, not the cross product of what can be", len(all))
	}
	for _, c := range AllSet() {
		if err := checkService(c.Fault, Resolver(c.Resolver), c.Backends, Policy(c.Policy), NetSim); err != nil {
			t.Errorf("the full set has %s: %v", c, err)
		}
	}
	for _, c := range ValidateSet() {
		if err := checkService(c.Fault, Resolver(c.Resolver), c.Backends, Policy(c.Policy), TCP); err != nil {
			t.Errorf("the validate set has %s, which real TCP cannot run: %v", c, err)
		}
	}
	t.Logf("default set: %d cells", len(cells))
}

func thirty(c resultset.Cell) resultset.Cell {
	c.Downtime = 30 * time.Second
	return c
}

func withService(c resultset.Cell, sv service) resultset.Cell {
	c.Resolver, c.Backends, c.Policy = string(sv.resolver), sv.backends, string(sv.policy)
	return c
}

func TestCellFilter(t *testing.T) {
	f := CellFilter{Strategies: []string{"watcher"}, Downtimes: []time.Duration{30 * time.Second}}
	for _, c := range f.Filter(DefaultSet()) {
		if c.Strategy != "watcher" || c.Downtime != 30*time.Second {
			t.Errorf("the filter kept %s", c)
		}
	}
	if n := len(f.Filter(DefaultSet())); n != 8 {
		t.Errorf("watcher at 30 s: %d cells, want 8 (blackhole and crash, idle, busy and rare; pick_first's failover from a blackhole, idle and busy)", n)
	}
	if _, err := ScenarioSet("most"); err == nil || err.Error() != `unknown scenario set "most" (valid: default, all, validate)` {
		t.Errorf("ScenarioSet(most) = %v", err)
	}
}
