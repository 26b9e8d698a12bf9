package versions

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLatestPatches(t *testing.T) {
	got := LatestPatches([]string{"v1.30.0", "v1.40.0", "v1.40.1", "v1.41.0", "v1.9.2", "v1.10.0"})
	want := "v1.9.2 v1.10.0 v1.30.0 v1.40.1 v1.41.0"
	if strings.Join(got, " ") != want {
		t.Errorf("latestPatches = %v, want %s", got, want)
	}
}

func TestCheckReleaseFormat(t *testing.T) {
	rels := []string{"v1.30.0", "v1.85.0"}
	for _, tc := range []struct{ v, want string }{
		{"1.65.0", `"1.65.0" is not a release version: want a full semantic version such as v1.65.0`},
		{"v1.65", `"v1.65" is not a release version`},
		{"v1.29.1", "gRPC-Go v1.29.1 is older than v1.30.0, the oldest release the suite supports"},
	} {
		if err := CheckRelease(tc.v, rels); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckRelease(%q) = %v, want %q", tc.v, err, tc.want)
		}
	}
	if err := CheckRelease("v1.85.0", rels); err != nil {
		t.Errorf("CheckRelease(v1.85.0) = %v", err)
	}
}

// fakeVersions makes a versions folder with module files for rels and a
// default set.
func fakeVersions(t *testing.T, rels []string, def string) string {
	d := t.TempDir()
	for _, v := range rels {
		os.MkdirAll(filepath.Join(d, v), 0o755)
		os.WriteFile(filepath.Join(d, v, "go.mod"), []byte("module x\n"), 0o644)
	}
	os.WriteFile(filepath.Join(d, "default.txt"), []byte(def), 0o644)
	return d
}

func TestSelectReleases(t *testing.T) {
	d := fakeVersions(t, []string{"v1.30.0", "v1.9.0", "v1.41.0", "v1.85.0"}, "# why\nv1.85.0  # newest\nv1.30.0\n")
	for _, tc := range []struct{ spec, want, err string }{
		{"", "v1.30.0 v1.85.0", ""},
		{"default", "v1.30.0 v1.85.0", ""},
		{"all", "v1.9.0 v1.30.0 v1.41.0 v1.85.0", ""},
		{"v1.85.0 1.41.0,v1.41.0", "v1.41.0 v1.85.0", ""},
		{"v1.50.0", "", `unknown gRPC-Go release "v1.50.0" in VERSIONS: valid are default, all, or releases with module files (v1.9.0 ... v1.85.0`},
	} {
		got, err := Select(d, tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Select(%q) = %v, want error %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("Select(%q) = %v, %v; want %s", tc.spec, got, err, tc.want)
		}
	}
}

// TestDefaultSetIsTracked checks the committed default set: every release
// in it has module files, and it spans the oldest and newest tracked.
func TestDefaultSetIsTracked(t *testing.T) {
	def, err := DefaultSet(".")
	if err != nil {
		t.Fatal(err)
	}
	have, err := Tracked(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range def {
		if !slices.Contains(have, v) {
			t.Errorf("default release %s has no module files", v)
		}
	}
	if len(def) == 0 || def[0] != have[0] || def[len(def)-1] != have[len(have)-1] {
		t.Errorf("default set %v should run from the oldest (%s) to the newest (%s) tracked release", def, have[0], have[len(have)-1])
	}
}
