package bench

import (
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
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
		for _, f := range netsim.FaultNames() {
			for _, tr := range TrafficModes() {
				c := resultset.Cell{Strategy: s, Fault: f, Traffic: string(tr), Downtime: DefaultDowntime, Quiet: DefaultQuiet, Client: string(DefaultClient)}
				if !has[c] {
					t.Errorf("the base situation lacks %s", c)
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
	if all := AllSet(); len(all) != len(strategies.Names())*len(netsim.FaultNames())*len(TrafficModes())*len(SetDowntimes)*len(SetQuiets)*len(SetClients) {
		t.Errorf("the full set has %d cells, not the cross product", len(all))
	}
	t.Logf("default set: %d cells", len(cells))
}

func TestCellFilter(t *testing.T) {
	f := CellFilter{Strategies: []string{"watcher"}, Downtimes: []time.Duration{30 * time.Second}}
	for _, c := range f.Filter(DefaultSet()) {
		if c.Strategy != "watcher" || c.Downtime != 30*time.Second {
			t.Errorf("the filter kept %s", c)
		}
	}
	if n := len(f.Filter(DefaultSet())); n != 6 {
		t.Errorf("watcher at 30 s: %d cells, want 6 (blackhole and crash, idle, busy and rare)", n)
	}
	if _, err := ScenarioSet("most"); err == nil || err.Error() != `unknown scenario set "most" (valid: default, all, validate)` {
		t.Errorf("ScenarioSet(most) = %v", err)
	}
}
