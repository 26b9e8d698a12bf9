package plots

import (
	"fmt"
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/resultset/resultsettest"
)

// serviceRelease is a results file of the service cells on release v:
// behind dns a moved server is found by "a" after moveSecs (to 2 s more) and by "b"
// too before v1.60.0; behind passthrough by nobody; in a rolling restart
// of round_robin's three backends "a" has them all READY again after 4 s
// and "b" has one never READY again from v1.60.0, 5% of a busy client's
// RPCs failing.
func serviceRelease(v string, moveSecs float64) string {
	var b strings.Builder
	b.WriteString(resultsettest.Config(v, "go1.26.8", "virtual", "local"))
	const svc = "/downtime=1s/quiet=2s/client=dial/resolver=%s/backends=%d/policy=%s"
	name := func(s, f, tr, r string, n int, p string) string {
		return "BenchmarkReconnect/strategy=" + s + "/fault=" + f + "/traffic=" + tr + fmt.Sprintf(svc, r, n, p)
	}
	for i := 0; i < 6; i++ {
		for _, s := range []string{"a", "b"} {
			if s == "a" || v < "v1.60.0" {
				fmt.Fprintf(&b, "%s 1 %g recover-ns/op 0 missed/op 0 undetected/op 2 dials/op 0 lost-msgs/op 0 spurious-replays/op\n",
					name(s, "move", "idle", "dns", 1, "pick_first"), (moveSecs+float64(i%3))*1e9)
			} else {
				fmt.Fprintf(&b, "%s 1 1 missed/op 0 undetected/op 8 dials/op 1000 lost-msgs/op 0 spurious-replays/op\n",
					name(s, "move", "idle", "dns", 1, "pick_first"))
			}
			fmt.Fprintf(&b, "%s 1 1 missed/op 0 undetected/op 8 dials/op 1000 lost-msgs/op 0 spurious-replays/op\n",
				name(s, "move", "idle", "passthrough", 1, "pick_first"))
			unready := 0
			if s == "b" && v >= "v1.60.0" {
				unready = 1
			}
			// A rolling restart's replays tell nothing: never spurious
			// in the report's eyes.
			fmt.Fprintf(&b, "%s 1 0 missed/op 0 undetected/op 7 dials/op 2 spurious-replays/op 0.05 failed-rpcs/op 4e9 all-ready-ns/op %d unready/op\n",
				name(s, "rolling", "busy", "dns", 3, "round_robin"), unready)
		}
	}
	return b.String()
}

func TestServiceFindings(t *testing.T) {
	all := load(t, map[string]string{
		"grpc-v1.50.0.txt": serviceRelease("v1.50.0", 40),
		"grpc-v1.55.0.txt": serviceRelease("v1.55.0", 41),
		"grpc-v1.60.0.txt": serviceRelease("v1.60.0", 28),
	})
	got := strings.Join(serviceSentences(all), "\n")
	for _, want := range []string{
		"**server moves to a new address, target through passthrough** (idle traffic): on every release measured, no strategy recovers in every cycle.",
		"**server moves to a new address, target through dns, pick_first** (idle traffic): to v1.55.0, every strategy recovers in every cycle, median 41.50 s (per release 41.00 s to 42.00 s); on v1.60.0, a recovers in every cycle (b does not), median 29.00 s.",
		"**round_robin over 3 backends (dns), restarted one after another (rolling)** (busy traffic): to v1.55.0, every backend is READY again in every cycle with every strategy, median 4.00 s, up to 5% of a cell's RPCs failing; on v1.60.0, every backend is READY again in every cycle with a (not with b), median 4.00 s, up to 5% of a cell's RPCs failing.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("service findings lack\n%s\nhave\n%s", want, got)
		}
	}

	table := adviceTable(all)
	for _, want := range []string{
		"| server moves to a new address, target through passthrough | ✗ | ✗ |",
		"| server moves to a new address, target through dns, pick_first | ✓ | ✓ to v1.55.0, ✗ from v1.60.0 |",
		"| round_robin over 3 backends (dns), restarted one after another (rolling) | ✓ (up to 5% of a cell's RPCs failed) | ✓ to v1.55.0, ✗ from v1.60.0 (up to 5% of a cell's RPCs failed) |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("advice table lacks\n%s\nhave\n%s", want, table)
		}
	}
	if strings.Contains(table, "spurious") {
		t.Errorf("advice table counts a rolling restart's replays as spurious:\n%s", table)
	}
	if wp := strings.Join(wherePossibleSentences(all), "\n"); strings.Contains(wp, "but replays to a server") {
		t.Errorf("a rolling restart's replays counted as spurious:\n%s", wp)
	}

	// "a" never falls short: its every cell is shown, and where it
	// misses, why.
	sec := everyCellSection(all, all)
	for _, want := range []string{
		"## Every cell of a\n",
		"| cell | v1.50.0 | v1.55.0 | v1.60.0 |",
		"| move idle dns | 41.00 s | 42.00 s | 29.00 s |",
		"| rolling busy dns backends=3 round_robin | READY 4.00 s | READY 4.00 s | READY 4.00 s |",
		"- move idle, on every release: no strategy recovers there either: behind passthrough",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("every-cell section lacks %q:\n%s", want, sec)
		}
	}
	if strings.Contains(sec, "Every cell of b") {
		t.Errorf("b misses where a recovers, yet has a section:\n%s", sec)
	}

	// Under the passthrough conditions no strategy ever recovers from a
	// move: one sentence says so, and it spoils no strategy's record.
	d := all.Only(resultset.NewCell("", "", "").Conditions())
	if got := findingsText(d); !strings.Contains(got, "No strategy recovers in any cycle of move/idle on any release measured.") ||
		strings.Contains(got, "never recovers from move") || strings.Contains(got, "No strategy recovers from **move**") {
		t.Errorf("findings under passthrough:\n%s", got)
	}
	if len(d.Faults) != 1 || d.Faults[0] != "move" {
		t.Errorf("faults under passthrough %v, want move alone (rolling needs several backends)", d.Faults)
	}
}
