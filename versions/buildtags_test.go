package versions

import (
	"go/build/constraint"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
