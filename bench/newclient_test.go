//go:build go1.25 && !reconnbench_nonewclient

package bench

import (
	"testing"

	"github.com/reconnbench/reconnbench/resultset"
)

// TestNewClient: on a release with grpc.NewClient, client=newclient cycles
// run: the channel starts IDLE (the first state traced), the harness's
// first call connects it, and each strategy recovers as it does with Dial.
func TestNewClient(t *testing.T) {
	for _, strategy := range []string{"watcher", "healthwatch", "identity", "dialer"} {
		sc := Scenario{Strategy: strategy, Fault: "crash", Traffic: Busy, Client: NewClient}
		t.Run(sc.Name(), func(t *testing.T) {
			c := run(t, sc)
			if c.Inapplicable || !c.Recovered || c.Lost != 0 || c.Duplicated != 0 {
				t.Fatalf("inapplicable %v, recovered %v, tally %+v; want a recovery; trace:\n%s", c.Inapplicable, c.Recovered, c.Tally, traceString(c.Trace))
			}
			for _, e := range c.Trace {
				if e.Kind == resultset.EventState {
					if e.Detail != "IDLE" {
						t.Errorf("the channel's first state is %s, want IDLE (NewClient)", e.Detail)
					}
					break
				}
			}
		})
	}
	// Dial's channel starts connecting by itself.
	c := run(t, Scenario{Strategy: "watcher", Fault: "crash", Traffic: Busy})
	for _, e := range c.Trace {
		if e.Kind == resultset.EventState {
			if e.Detail == "IDLE" {
				t.Errorf("a Dial channel's first state is IDLE")
			}
			break
		}
	}
}
