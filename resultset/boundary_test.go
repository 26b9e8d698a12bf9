package resultset_test

import (
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/resultset/resultsettest"
)

func TestBoundaries(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, v := range []string{"v1.40.1", "v1.41.0", "v1.50.0"} {
		files = append(files, resultsettest.Write(t, dir, resultset.FileName(v), resultsettest.Release(v, "virtual")))
	}
	d, err := resultset.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range resultset.Boundaries(d) {
		got = append(got, b.String())
		if !b.Separated {
			t.Errorf("%s: not separated", b)
		}
	}
	// "bad" stops recovering idle cycles at v1.41.0; "good" never changes.
	want := []string{
		"v1.40.1 → v1.41.0 bad blackhole idle missed/op 0 → 1",
		"v1.40.1 → v1.41.0 bad blackhole idle dials/op 3 → 0",
		"v1.40.1 → v1.41.0 bad blackhole idle lost-msgs/op 0 → 1e+03",
		"v1.40.1 → v1.41.0 bad blackhole idle recover-ns/op 2.00s → never",
		"v1.40.1 → v1.41.0 bad crash idle missed/op 0 → 1",
		"v1.40.1 → v1.41.0 bad crash idle undetected/op 0 → 1",
		"v1.40.1 → v1.41.0 bad crash idle dials/op 3 → 0",
		"v1.40.1 → v1.41.0 bad crash idle lost-msgs/op 0 → 1e+03",
		"v1.40.1 → v1.41.0 bad crash idle recover-ns/op 2.00s → never",
		"v1.40.1 → v1.41.0 bad crash idle detect-ns/op 0.00s → never",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("boundaries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBoundariesNewKeys: spurious replays are a metric of the scan, and a
// cell that becomes applicable (client=newclient at v1.63) is no boundary.
func TestBoundariesNewKeys(t *testing.T) {
	dir := t.TempDir()
	const nc = "BenchmarkReconnect/strategy=w/fault=crash/traffic=idle/downtime=1s/quiet=45m0s/client=newclient"
	const dial = "BenchmarkReconnect/strategy=w/fault=crash/traffic=idle/downtime=1s/quiet=45m0s/client=dial"
	var files []string
	for _, tc := range []struct{ v, nc, spurious string }{
		{"v1.58.3", "1 1 inapplicable/op", "0"},
		{"v1.62.1", "1 1 inapplicable/op", "1"},
		{"v1.63.2", "1 1e9 recover-ns/op 0 missed/op 1 spurious-replays/op", "1"},
	} {
		var b strings.Builder
		b.WriteString(resultsettest.Config(tc.v, "go1.26.8", "virtual", "local"))
		for i := 0; i < 6; i++ {
			b.WriteString(nc + " " + tc.nc + "\n")
			b.WriteString(dial + " 1 1e9 recover-ns/op 0 missed/op " + tc.spurious + " spurious-replays/op\n")
		}
		files = append(files, resultsettest.Write(t, dir, resultset.FileName(tc.v), b.String()))
	}
	d, err := resultset.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range resultset.Boundaries(d) {
		got = append(got, b.String())
	}
	want := "v1.58.3 → v1.62.1 w crash idle quiet=45m0s spurious-replays/op 0 → 1"
	if strings.Join(got, "\n") != want {
		t.Errorf("boundaries:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}
