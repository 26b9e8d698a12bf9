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
