package bench

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// ConfigKeys are the configuration keys every result of a results file
// carries: what must never be pooled.
var ConfigKeys = []string{"grpc", "go", "clock", "link"}

// ReleaseOfFile returns the gRPC-Go release a results file is named for,
// grpc-<release>[.<toolchain>][.<clock>][.<link>][.shard-i-of-n].txt, or ""
// when the name says none.
func ReleaseOfFile(path string) string {
	name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "grpc-"), ".txt")
	parts := strings.SplitN(name, ".", 4)
	if len(parts) < 3 {
		return ""
	}
	v := strings.Join(parts[:3], ".")
	if !isVersion(v) {
		return ""
	}
	return v
}

// moduleVersion is a module version as the go command writes one. The
// bench package builds against every gRPC-Go release's module files,
// which lack golang.org/x/mod.
var moduleVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

func isVersion(v string) bool { return moduleVersion.MatchString(v) }

// FileCheck checks, result by result, that a results file holds what the
// runner writes: every result has each of ConfigKeys; all are of one
// release, the one the file is named for, of one toolchain and of one
// link; the clock is virtual or real. Virtual and real results do mix in
// one file, by design: a cell that stalls the virtual clock is rerun on
// the real one, and the replay throughput is measured on it; readers keep
// them apart by the clock key.
type FileCheck struct {
	path  string
	first map[string]firstSeen
}

type firstSeen struct {
	value string
	line  int
}

// NewFileCheck starts checking the results file at path.
func NewFileCheck(path string) *FileCheck {
	return &FileCheck{path: path, first: map[string]firstSeen{}}
}

// Check checks one result of the file. Its error does not repeat the
// file and line, which the caller has.
func (c *FileCheck) Check(res *benchfmt.Result) error {
	var missing []string
	for _, k := range ConfigKeys {
		if res.GetConfig(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("configuration lacks %s (every result needs %s, as make bench writes them)",
			strings.Join(missing, ", "), strings.Join(ConfigKeys, ", "))
	}
	v := res.GetConfig("grpc")
	if !isVersion(v) {
		return fmt.Errorf("configuration grpc is %q, want a gRPC-Go version such as v1.85.0", v)
	}
	if named := ReleaseOfFile(c.path); named != "" && v != named {
		return fmt.Errorf("configuration grpc is %s but the file is named for %s: a results file holds one release", v, named)
	}
	if _, err := ParseClock(res.GetConfig("clock")); err != nil {
		return fmt.Errorf("configuration clock: %w", err)
	}
	_, line := res.Pos()
	for _, k := range []string{"grpc", "go", "link"} {
		v := res.GetConfig(k)
		f, ok := c.first[k]
		if !ok {
			c.first[k] = firstSeen{v, line}
			continue
		}
		if v != f.value {
			return fmt.Errorf("configuration %s is %s but line %d says %s: a results file holds one release, toolchain and link (results of others go in files of their own)",
				k, v, f.line, f.value)
		}
	}
	return nil
}
