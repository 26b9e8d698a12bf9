package bench

import (
	"os"
	"testing"
)

func TestSmoke(t *testing.T) {
	for _, s := range []string{"dialer", "watcher", "keepalive", "combined", "healthwatch"} {
		for _, f := range []string{"crash", "graceful", "blackhole", "flap"} {
			sc := Scenario{Strategy: s, Fault: f, Traffic: Idle}
			c, err := RunOn(t, Virtual, sc)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: detected=%v %v recovered=%v %v dials=%d %+v", sc.Name(), c.Detected, c.Detect, c.Recovered, c.Recover, c.Dials, c.Tally)
			if s == "watcher" && f == "flap" {
				WriteTrace(os.Stderr, c.Trace)
			}
		}
	}
}
