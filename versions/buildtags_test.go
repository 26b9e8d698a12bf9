package versions

import (
	"go/build/constraint"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

func TestBuildTags(t *testing.T) {
	for release, want := range map[string]string{
		"v1.30.0":  NoNewClientTag,
		"v1.62.1":  NoNewClientTag,
		"v1.63.0":  "",
		"v1.63.2":  "",
		"v1.85.0":  "",
		"v1.100.0": "", // by number, not lexically
		"(devel)":  "", // unreadable: taken to be recent
	} {
		if got := strings.Join(BuildTags(release), ","); got != want {
			t.Errorf("BuildTags(%s) = %q, want %q", release, got, want)
		}
	}
}

// TestBuildTagsMatchBench holds NoNewClientTag to the build constraints of
// the one place that uses grpc.NewClient, package bench's file pair.
func TestBuildTagsMatchBench(t *testing.T) {
	for file, withTag := range map[string]bool{"newclient.go": false, "newclient_none.go": true} {
		data, err := os.ReadFile(filepath.Join("..", "bench", file))
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(string(data), "\n")
		expr, err := constraint.Parse(line)
		if err != nil {
			t.Fatalf("%s: first line %q: %v", file, line, err)
		}
		tags := func(tag string) func(string) bool { return func(t string) bool { return t == tag } }
		if got := expr.Eval(tags(NoNewClientTag)); got != withTag {
			t.Errorf("%s (%s) builds with tag %s: %v, want %v", file, line, NoNewClientTag, got, withTag)
		}
		if got := expr.Eval(tags("")); got == withTag {
			t.Errorf("%s (%s) builds without tags: %v, want %v", file, line, got, !withTag)
		}
	}
}

func TestBuildFlags(t *testing.T) {
	for release, want := range map[string]string{
		"v1.30.0": "-tags=" + NoNewClientTag,
		"v1.50.1": "-tags=" + NoNewClientTag,
		"v1.51.0": "-tags=" + NoNewClientTag + " -ldflags=-checklinkname=0",
		"v1.52.3": "-tags=" + NoNewClientTag,
		"v1.63.2": "-tags=",
		"v1.85.0": "-tags=",
	} {
		if got := strings.Join(BuildFlags(release), " "); got != want {
			t.Errorf("BuildFlags(%s) = %q, want %q", release, got, want)
		}
	}
}

// TestLinkerFlagsMatchModFiles holds LinkerFlags to the module files: a
// release needs the linker's go:linkname check off exactly when its
// module file requires LinknameXNet.
func TestLinkerFlagsMatchModFiles(t *testing.T) {
	rels, err := Tracked(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rels {
		data, err := os.ReadFile(ModFile(".", v))
		if err != nil {
			t.Fatal(err)
		}
		f, err := modfile.ParseLax(ModFile(".", v), data, nil)
		if err != nil {
			t.Fatal(err)
		}
		uses := false
		for _, r := range f.Require {
			if r.Mod.Path == "golang.org/x/net" && r.Mod.Version == LinknameXNet {
				uses = true
			}
		}
		if got := len(LinkerFlags(v)) > 0; got != uses {
			t.Errorf("%s: LinkerFlags %v, but its module file requires x/net %s: %v", v, LinkerFlags(v), LinknameXNet, uses)
		}
	}
}
