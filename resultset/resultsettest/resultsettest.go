// Package resultsettest makes results files for tests of the code that
// reads them, the way net/http/httptest makes servers: synthetic releases
// whose cells follow a known pattern, so that a test can say what a figure
// or a finding must show.
package resultsettest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/resultset"
)

// Config is a results file's configuration block.
func Config(release, goVersion, clock, link string) string {
	return fmt.Sprintf("goos: linux\ngoarch: amd64\ngrpc: %s\ngo: %s\nclock: %s\nlink: %s\ndowntime: 1s\ndeadline: 1m0s\nlog: 1000x256B\n\n",
		release, goVersion, clock, link)
}

// Line is one results line of a cell: a cycle that recovered after secs
// seconds, or missed when secs < 0. A crash is detected at once; other
// faults are not detected.
func Line(strategy, fault, traffic string, secs float64, dials int) string {
	name := "Benchmark" + resultset.NewCell(strategy, fault, traffic).String() + " 1"
	if secs < 0 {
		return fmt.Sprintf("%s 1 missed/op 1 undetected/op %d dials/op 1000 lost-msgs/op\n", name, dials)
	}
	detect := ""
	if fault == "crash" {
		detect = "0 detect-ns/op "
	}
	undetected := "0"
	if detect == "" {
		undetected = "1"
	}
	return fmt.Sprintf("%s %g recover-ns/op 0 missed/op %s%s undetected/op %d dials/op 0 lost-msgs/op\n",
		name, secs*1e9, detect, undetected, dials)
}

// Release is the text of a results file for release v on the given
// clock: strategy "good" recovers in every cell, 1.0 to 1.5 s after the
// fault; "bad" recovers in 2 s before v1.41.0 and misses every idle
// cycle from it on, as the dialer strategy does. Faults are blackhole and
// crash, traffic idle and busy, six lines a cell.
func Release(v, clock string) string {
	var b strings.Builder
	b.WriteString(Config(v, "go1.26.8", clock, "local"))
	for _, fault := range []string{"blackhole", "crash"} {
		for _, traffic := range []string{"idle", "busy"} {
			for i := 0; i < 6; i++ {
				b.WriteString(Line("good", fault, traffic, 1+float64(i)/10, 2))
				if traffic == "idle" && v >= "v1.41.0" {
					b.WriteString(Line("bad", fault, traffic, -1, 0))
				} else {
					b.WriteString(Line("bad", fault, traffic, 2, 3))
				}
			}
		}
	}
	return b.String()
}

// Write writes content to dir/name and returns the path.
func Write(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Folder is a results folder of three releases, v1.40.1, v1.41.0 and
// v1.85.0, with a trace file for the newest: one crash cycle of "good"
// (recovered at 1 s) and of "bad" (idle, never recovered).
func Folder(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{"v1.40.1", "v1.41.0", "v1.85.0"} {
		Write(t, dir, resultset.FileName(v), Release(v, "virtual"))
	}
	var tr strings.Builder
	resultset.WriteTraceHeader(&tr)
	good := []resultset.Event{
		{At: -2e9, Kind: resultset.EventState, Detail: "READY"}, {At: 0, Kind: resultset.EventFault, Detail: "crash"},
		{At: 0, Kind: resultset.EventGiveUp, Detail: "client:1"}, {At: 0, Kind: resultset.EventLost},
		{At: 0, Kind: resultset.EventState, Detail: "TRANSIENT_FAILURE"}, {At: 0, Kind: resultset.EventDial, Detail: "refused"},
		{At: 1e9, Kind: resultset.EventServerUp, Detail: "2"}, {At: 1e9, Kind: resultset.EventDial, Detail: "accepted"},
		{At: 1e9, Kind: resultset.EventState, Detail: "READY"}, {At: 1e9, Kind: resultset.EventReplayStart},
		{At: 1e9, Kind: resultset.EventRecovered}, {At: 1e9, Kind: resultset.EventReplayEnd, Detail: "ok"},
	}
	bad := []resultset.Event{
		{At: -2e9, Kind: resultset.EventState, Detail: "READY"}, {At: 0, Kind: resultset.EventFault, Detail: "crash"},
		{At: 0, Kind: resultset.EventGiveUp, Detail: "client:1"}, {At: 0, Kind: resultset.EventState, Detail: "IDLE"},
		{At: 1e9, Kind: resultset.EventServerUp, Detail: "2"},
	}
	resultset.WriteCellTrace(&tr, resultset.CellTrace{Cell: resultset.NewCell("good", "crash", "idle"), Events: good})
	resultset.WriteCellTrace(&tr, resultset.CellTrace{Cell: resultset.NewCell("bad", "crash", "idle"), Events: bad})
	Write(t, dir, "grpc-v1.85.0.trace", tr.String())
	return dir
}
