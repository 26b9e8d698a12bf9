package bench

import (
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// TestFileCheck checks what a results file may mix and what it may not.
// The errors themselves are checked where files are read (plots, versions
// compare).
func TestFileCheck(t *testing.T) {
	const config = "grpc: v1.85.0\ngo: go1.26.8\nclock: virtual\nlink: local\n"
	const line = "BenchmarkReconnect/strategy=a/scenario=crash/traffic=idle 1 1 missed/op\n"
	for _, tc := range []struct {
		name, file, content string
		want                string // "" for no error
	}{
		{"virtual and real", "grpc-v1.85.0.txt", config + line + "clock: real\n" + line + "BenchmarkReplay/strategy=a/mode=stream 1 1 ns/op\n", ""},
		{"a name without a release", "mine.txt", config + line, ""},
		{"shard of a toolchain", "grpc-v1.85.0.go1.23.12.real.shard-1-of-4.txt", config + line, ""},
		{"no link", "grpc-v1.85.0.txt", "grpc: v1.85.0\ngo: go1.26.8\nclock: virtual\n" + line, "configuration lacks link"},
		{"another release", "grpc-v1.85.0.txt", config + line + "grpc: v1.41.0\n" + line, "configuration grpc is v1.41.0 but the file is named for v1.85.0"},
		{"two releases, unnamed", "mine.txt", config + line + "grpc: v1.41.0\n" + line, "configuration grpc is v1.41.0 but line 5 says v1.85.0"},
		{"bad clock", "grpc-v1.85.0.txt", strings.Replace(config, "virtual", "wall", 1) + line, `unknown clock "wall"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := NewFileCheck("/some/dir/" + tc.file)
			r := benchfmt.NewReader(strings.NewReader(tc.content), tc.file)
			var err error
			for err == nil && r.Scan() {
				if res, ok := r.Result().(*benchfmt.Result); ok {
					err = check.Check(res)
				}
			}
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
