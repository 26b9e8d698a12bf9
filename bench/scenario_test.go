package bench

import (
	"testing"

	"github.com/reconnbench/reconnbench/resultset"
)

func TestScenarioOf(t *testing.T) {
	c := resultset.Cell{Strategy: "watcher", Fault: "flap", Traffic: "busy"}
	sc := ScenarioOf(c)
	if sc.Strategy != "watcher" || sc.Fault != "flap" || sc.Traffic != Busy {
		t.Errorf("ScenarioOf(%v) = %+v", c, sc)
	}
	if got := sc.Cell(); got != c {
		t.Errorf("ScenarioOf(%v).Cell() = %v: not the inverse", c, got)
	}
}
