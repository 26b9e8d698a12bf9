package plots

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/resultset"
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
