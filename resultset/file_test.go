package resultset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestCreateCommits(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "grpc-v1.85.0.txt")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	res := &benchfmt.Result{Name: benchfmt.Name(NewCell("dialer", "crash", "idle").String()), Iters: 1,
		Values: []benchfmt.Value{{Value: 0, Unit: UnitMissed}}}
	if err := f.Write(res); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the final file exists before Commit: %v", err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o644 || st.Size() == 0 {
		t.Fatalf("committed file: %v, %v", st, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	g, err := Create(filepath.Join(dir, "discarded.txt"))
	if err != nil {
		t.Fatal(err)
	}
	g.Discard()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("Discard left files: %v", entries)
	}
}

func TestCreateUnwritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write anywhere")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o555)
	_, err := Create(filepath.Join(dir, "r.txt"))
	if err == nil || !strings.Contains(err.Error(), "is not writable") || !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v, want one naming the folder %s", err, dir)
	}
}

func TestFiles(t *testing.T) {
	if _, err := Files(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no results files") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := Files(filepath.Join(t.TempDir(), "nowhere")); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("missing folder: %v", err)
	}
}
