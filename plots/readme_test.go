package plots

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/resultset/resultsettest"
)

// TestReadmeFindingsFromBaseline holds the README's findings to the
// committed baseline: they are what make baseline-docs computes from it,
// never typed by hand.
func TestReadmeFindingsFromBaseline(t *testing.T) {
	root := filepath.Join("..")
	files, err := resultset.Files(filepath.Join(root, "results", "baseline"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := resultset.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := resultset.ReadBisections(filepath.Join(root, "results", "baseline"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := rewriteReadme(filepath.Join(root, "README.md"), readmeFindings(all, bs))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("README.md's findings are not what the baseline says: run make baseline-docs")
	}
}

func TestRewriteReadme(t *testing.T) {
	p := filepath.Join(t.TempDir(), "README.md")
	os.WriteFile(p, []byte("# x\n\n"+readmeBegin+"\nold\n"+readmeEnd+"\n\ntail\n"), 0o644)
	got, err := rewriteReadme(p, "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# x\n\n" + readmeBegin + "\n\nnew\n\n" + readmeEnd + "\n\ntail\n"; string(got) != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	os.WriteFile(p, []byte("# no markers\n"), 0o644)
	if _, err := rewriteReadme(p, "new\n"); err == nil || !strings.Contains(err.Error(), "no findings block") {
		t.Errorf("a README without markers: %v", err)
	}
}

// TestBoundarySummary: a line per pair of releases, with what make bisect
// made of its changes.
func TestBoundarySummary(t *testing.T) {
	both := resultsettest.Folder(t) // "bad" misses idle cycles of crash and blackhole from v1.41.0
	one := t.TempDir()              // only its crash cell
	for _, v := range []string{"v1.40.1", "v1.41.0"} {
		text := resultsettest.Config(v, "go1.26.8", "virtual", "local")
		for i := 0; i < 6; i++ {
			secs := 2.0
			if v == "v1.41.0" {
				secs = -1
			}
			text += resultsettest.Line("bad", "crash", "idle", secs, 1)
		}
		resultsettest.Write(t, one, resultset.FileName(v), text)
	}
	bisection := func(fault, first string) resultset.Bisection {
		return resultset.Bisection{Name: resultset.NewCell("bad", fault, "idle").Name(), Metric: resultset.UnitMissed,
			Good: "v1.40.1", Bad: "v1.41.0", First: first}
	}
	for _, tc := range []struct {
		name string
		dir  string
		bs   []resultset.Bisection
		want string
	}{
		{"not bisected", both, nil, "in 2 cells of bad."},
		{"one cell", one, nil, "in 1 cell of bad."},
		{"confirmed", both, []resultset.Bisection{bisection("crash", "v1.41.0"), bisection("blackhole", "v1.41.0")},
			"in 2 cells of bad; `make bisect` finds the first release, patches included: v1.41.0."},
		{"partly seen again", both, []resultset.Bisection{bisection("crash", "v1.41.0"), bisection("blackhole", resultset.NotReproduced)},
			"v1.41.0 (1 of the changes it did not see again)."},
		{"never seen again", both, []resultset.Bisection{bisection("crash", resultset.NotReproduced)},
			"; `make bisect` did not see it again: likely jitter."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := resultset.LoadDir(tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			var line string
			for _, l := range boundarySummary(d, tc.bs) {
				if strings.HasPrefix(l, "**v1.40.1 → v1.41.0**") {
					line = l
				}
			}
			if !strings.HasSuffix(line, tc.want) {
				t.Errorf("the line of v1.40.1 → v1.41.0 is %q, want it to end %q", line, tc.want)
			}
		})
	}
}
