package resultset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileCheck checks what a results file may mix and what it may
// not. The messages themselves are checked in set_test.go.
func TestReadFileCheck(t *testing.T) {
	const config = "grpc: v1.85.0\ngo: go1.26.8\nclock: virtual\nlink: local\n"
	const line = "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 1 1 missed/op\n"
	for _, tc := range []struct {
		name, file, content string
		want                string // "" for no error
	}{
		{"virtual and real", "grpc-v1.85.0.txt", config + line + "clock: real\n" + line + "BenchmarkReplay/strategy=a/mode=stream 1 1 ns/op\n", ""},
		{"a name without a release", "mine.txt", config + line, ""},
		{"shard of a toolchain", "grpc-v1.85.0.go1.23.12.real.shard-1-of-4.txt", config + line, ""},
		{"old name", "grpc-v1.85.0.txt", config + strings.Replace(line, "fault=", "scenario=", 1), ""},
		{"no link", "grpc-v1.85.0.txt", "grpc: v1.85.0\ngo: go1.26.8\nclock: virtual\n" + line, "configuration lacks link"},
		{"another release", "grpc-v1.85.0.txt", config + line + "grpc: v1.41.0\n" + line, "configuration grpc is v1.41.0 but the file is named for v1.85.0"},
		{"two releases, unnamed", "mine.txt", config + line + "grpc: v1.41.0\n" + line, "configuration grpc is v1.41.0 but line 5 says v1.85.0"},
		{"bad clock", "grpc-v1.85.0.txt", strings.Replace(config, "virtual", "wall", 1) + line, `configuration clock is "wall", want virtual or real`},
		{"not a cell", "grpc-v1.85.0.txt", config + "BenchmarkReconnect/strategy=a/traffic=idle 1 1 missed/op\n", "lacks key fault"},
		{"not key=value", "grpc-v1.85.0.txt", config + "BenchmarkReplay/stream 1 1 ns/op\n", `part "stream" is not key=value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadFile(path)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), path+":")):
				t.Errorf("error %v, want one starting with the file and containing %q", err, tc.want)
			}
		})
	}
}

func TestReadValuesAsWritten(t *testing.T) {
	in := "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 3 1.5e+09 recover-ns/op 0.5 missed/op 2 dials/op\n" +
		"BenchmarkReplay/mode=stream-2 100 1000 ns/op 256 MB/s\n"
	rs, err := Read(strings.NewReader(in), "x.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Iters != 3 || rs[0].Line != 1 || rs[1].Line != 2 {
		t.Fatalf("results %+v", rs)
	}
	// benchfmt reads recover-ns/op as recover-sec/op and MB/s as B/s:
	// the units as written come back.
	for _, tc := range []struct {
		r     *Result
		unit  string
		value float64
	}{{rs[0], UnitRecover, 1.5e9}, {rs[0], UnitMissed, 0.5}, {rs[1], UnitMBPerSec, 256}, {rs[1], UnitNsPerOp, 1000}} {
		if v, ok := tc.r.Value(tc.unit); !ok || v != tc.value {
			t.Errorf("%s %s = %v, %v; want %v", tc.r.Name, tc.unit, v, ok, tc.value)
		}
	}
	if _, ok := rs[0].Value(UnitDetect); ok {
		t.Error("a unit the line lacks has a value")
	}
	if rs[1].Name.String() != "Replay/mode=stream" {
		t.Errorf("name %q: the GOMAXPROCS suffix stays", rs[1].Name)
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct {
		release    string
		qualifiers []string
		want       string
	}{
		{"v1.85.0", nil, "grpc-v1.85.0.txt"},
		{"v1.85.0", []string{"go1.23.12", "", "wan", "shard-1-of-4"}, "grpc-v1.85.0.go1.23.12.wan.shard-1-of-4.txt"},
		{"v1.41.0", []string{"", "tcp"}, "grpc-v1.41.0.tcp.txt"},
	} {
		got := FileName(tc.release, tc.qualifiers...)
		if got != tc.want {
			t.Errorf("FileName(%s, %q) = %s, want %s", tc.release, tc.qualifiers, got, tc.want)
		}
		if r := ReleaseOfFile(filepath.Join("some", got)); r != tc.release {
			t.Errorf("ReleaseOfFile(%s) = %q, want %s", got, r, tc.release)
		}
	}
	for _, name := range []string{"mine.txt", "grpc-latest.txt", "grpc-v1.txt"} {
		if r := ReleaseOfFile(name); r != "" {
			t.Errorf("ReleaseOfFile(%s) = %q, want none", name, r)
		}
	}
	if got, want := TracePath("results/grpc-v1.85.0.go1.23.12.txt"), "results/grpc-v1.85.0.go1.23.12.trace"; got != want {
		t.Errorf("TracePath = %q, want %q", got, want)
	}
}

func TestMergeBringsNamesUpToDate(t *testing.T) {
	dir := t.TempDir()
	const config = "grpc: v1.85.0\ngo: go1.26.8\nclock: virtual\nlink: local\n"
	old := filepath.Join(dir, "old.txt")
	os.WriteFile(old, []byte(config+"BenchmarkReconnect/strategy=a/scenario=crash/traffic=idle 1 1 missed/op\n"), 0o644)
	cur := filepath.Join(dir, "new.txt")
	os.WriteFile(cur, []byte(config+"BenchmarkReconnect/strategy=b/fault=flap/traffic=busy 1 0 missed/op\n"+
		"BenchmarkReconnect/strategy=c/fault=flap/traffic=busy 1 0 missed/op\n"), 0o644)
	out := filepath.Join(dir, "grpc-v1.85.0.txt")
	skipC := func(file string, n Name) bool { return n.Get("strategy") != "c" }
	if err := Merge(out, []string{old, cur}, skipC); err != nil {
		t.Fatal(err)
	}
	rs, err := ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rs {
		names = append(names, r.Name.String())
	}
	// Every key, those the old names lack with the values they read as.
	want := "Reconnect/strategy=a/fault=crash/traffic=idle/downtime=1s/quiet=2s/client=dial/resolver=passthrough/backends=1/policy=pick_first " +
		"Reconnect/strategy=b/fault=flap/traffic=busy/downtime=1s/quiet=2s/client=dial/resolver=passthrough/backends=1/policy=pick_first"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("merged %s, want %s", got, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("files left behind: %v", entries)
	}
}
