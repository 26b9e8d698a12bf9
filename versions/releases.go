package versions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
)

const (
	GRPCModule = "google.golang.org/grpc"
	// Oldest is the first release the suite supports.
	Oldest = "v1.30.0"
)

// ProxyReleases asks the module proxy, through the go command, for every
// gRPC-Go release from Oldest on, pre-releases left out, in order.
func ProxyReleases() ([]string, error) {
	out, err := goCmd("", "list", "-m", "-versions", "-json", GRPCModule)
	if err != nil {
		return nil, fmt.Errorf("listing gRPC-Go releases: %w", err)
	}
	var m struct{ Versions []string }
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("listing gRPC-Go releases: %w", err)
	}
	var rels []string
	for _, v := range m.Versions {
		if semver.Prerelease(v) == "" && semver.Compare(v, Oldest) >= 0 {
			rels = append(rels, v)
		}
	}
	semver.Sort(rels)
	return rels, nil
}

// LatestPatches keeps the newest patch release of each minor.
func LatestPatches(rels []string) []string {
	byMinor := map[string]string{}
	for _, v := range rels {
		mm := semver.MajorMinor(v)
		if semver.Compare(v, byMinor[mm]) > 0 {
			byMinor[mm] = v
		}
	}
	var out []string
	for _, v := range byMinor {
		out = append(out, v)
	}
	semver.Sort(out)
	return out
}

// CheckRelease makes sure v is a gRPC-Go release on the proxy that the
// suite supports, saying which ones are when it is not.
func CheckRelease(v string, rels []string) error {
	if !semver.IsValid(v) || semver.Canonical(v) != v {
		return fmt.Errorf("%q is not a release version: want a full semantic version such as v1.65.0", v)
	}
	if semver.Compare(v, Oldest) < 0 {
		return fmt.Errorf("gRPC-Go %s is older than %s, the oldest release the suite supports", v, Oldest)
	}
	for _, r := range rels {
		if r == v {
			return nil
		}
	}
	// The proxy's list leaves out some tags it still serves.
	if out, err := goCmd("", "list", "-m", "-json", GRPCModule+"@"+v); err == nil {
		var m struct{ Version string }
		if json.Unmarshal(out, &m) == nil && m.Version == v {
			return nil
		}
	}
	newest := "none"
	if len(rels) > 0 {
		newest = rels[len(rels)-1]
	}
	return fmt.Errorf("gRPC-Go %s is not on the module proxy (newest release: %s; `make versions` shows them all)", v, newest)
}

// tracked returns the releases that have a module file set in dir, in
// order.
func Tracked(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "v*", "go.mod"))
	if err != nil {
		return nil, err
	}
	var rels []string
	for _, m := range matches {
		v := filepath.Base(filepath.Dir(m))
		if semver.IsValid(v) {
			rels = append(rels, v)
		}
	}
	semver.Sort(rels)
	return rels, nil
}

// DefaultSet reads the default releases from dir/default.txt: one a line,
// with # comments.
func DefaultSet(dir string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "default.txt"))
	if err != nil {
		return nil, err
	}
	var rels []string
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if f := strings.Fields(line); len(f) > 0 {
			rels = append(rels, f[0])
		}
	}
	semver.Sort(rels)
	return rels, nil
}

// Select turns a VERSIONS value into releases: "default" (or
// empty), "all" (every tracked release), or a list of versions, each of
// which must be tracked.
func Select(dir, spec string) ([]string, error) {
	have, err := Tracked(dir)
	if err != nil {
		return nil, err
	}
	words := strings.FieldsFunc(spec, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	switch {
	case len(words) == 0 || (len(words) == 1 && words[0] == "default"):
		return DefaultSet(dir)
	case len(words) == 1 && words[0] == "all":
		return have, nil
	}
	seen := map[string]bool{}
	var rels []string
	for _, w := range words {
		v := w
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		if !slices.Contains(have, v) {
			return nil, fmt.Errorf("unknown gRPC-Go release %q in VERSIONS: valid are default, all, or releases with module files (%s ... %s; `make versions`)", w, first(have), last(have))
		}
		if !seen[v] {
			seen[v] = true
			rels = append(rels, v)
		}
	}
	semver.Sort(rels)
	return rels, nil
}

func first(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return l[0]
}

func last(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return l[len(l)-1]
}

// goCmd runs the go command in dir and returns its standard output; a
// failure carries its standard error.
func goCmd(dir string, args ...string) ([]byte, error) {
	return GoContext(context.Background(), dir, nil, args...)
}

// GoContext runs the go command in dir with extra environment, until ctx
// ends, and returns its standard output; a failure carries its standard
// error. Ending ctx kills the go command and every compiler and linker it
// started.
func GoContext(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	ownGroup(cmd)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		return out, fmt.Errorf("go %s: %s", strings.Join(args, " "), msg)
	}
	return out, nil
}
