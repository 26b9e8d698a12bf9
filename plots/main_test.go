package main

import (
	"bytes"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	dir := synthFolder(t)
	write(t, dir, "grpc-v1.85.0.txt", synth("v1.85.0", "virtual")+"clock: real\n"+
		"BenchmarkReplay/strategy=good/mode=stream-2 100 1000000 ns/op 400000 msgs/s\n"+
		"BenchmarkReplay/strategy=good/mode=unary-2 100 30000000 ns/op 30000 msgs/s\n")
	if err := os.MkdirAll(filepath.Join(dir, figDir), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, filepath.Join(figDir, "recovery-stream.png"), "from a run whose results are gone")
	// An old release measured for one strategy and fault only: the other
	// cells are "not measured", never zero.
	write(t, dir, "grpc-v1.9.0.txt", configBlock("v1.9.0", "go1.26.8", "virtual", "local")+reconnect("good", "crash", "idle", 3, 2))

	var stderr bytes.Buffer
	if err := run([]string{"-results", dir}, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"recovery-idle", "missed", "dials-idle", "detect-blackhole", "cdf", "throughput", "timeline-crash-idle"} {
		for _, ext := range []string{".png", ".svg"} {
			p := filepath.Join(dir, figDir, name+ext)
			data, err := os.ReadFile(p)
			if err != nil || len(data) == 0 {
				t.Errorf("figure %s: %v", p, err)
				continue
			}
			if ext == ".png" {
				if img, err := png.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() < 300 {
					t.Errorf("%s: not a PNG of a readable size: %v", p, err)
				}
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, figDir, "recovery-stream.png")); !os.IsNotExist(err) {
		t.Errorf("a stale figure was left in place: %v", err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, "*", ".*.tmp")); len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
	report, err := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"**bad** stops recovering at **v1.41.0** (its predecessor v1.40.1 recovered every cycle)",
		"### crash, idle traffic",
		"| strategy | v1.9.0 | v1.40.1 | v1.41.0 | v1.85.0 |",
		"| bad | – | 2.00 s | missed | missed |",
		"| good | 3.00 s | 1.25 s | 1.25 s | 1.25 s |",
		"| good | 1/1 | 4/4 | 4/4 | 4/4 |",
		"![Recovery time after a server restart, idle traffic](figures/recovery-idle.png)",
		"([SVG](figures/recovery-idle.svg))",
		"![Timeline of one crash restart, idle traffic, v1.85.0](figures/timeline-crash-idle.png)",
		"- Not drawn: timeline of a blackhole restart (figure 7): the traces of v1.85.0 have no blackhole/idle cycle",
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", report)
	}
}

func TestRunFlags(t *testing.T) {
	t.Parallel()
	dir := synthFolder(t)
	if err := run([]string{"-results", dir, "-traffic", "busy", "-release", "v1.40.1", "-svg=false"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"recovery-busy.png", "dials-busy.png", "cdf.png"} {
		if _, err := os.Stat(filepath.Join(dir, figDir, name)); err != nil {
			t.Error(err)
		}
	}
	if svgs, _ := filepath.Glob(filepath.Join(dir, figDir, "*.svg")); len(svgs) > 0 {
		t.Errorf("-svg=false wrote %v", svgs)
	}
	report, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	for _, want := range []string{"Recovery time distribution, gRPC-Go v1.40.1", "timelines (figure 7): no trace file", "replay throughput (figure 6): the results have no BenchmarkReplay lines"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(string(report), ".svg") {
		t.Error("report links SVGs that -svg=false did not write")
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		want  string
	}{
		{"unknown traffic", nil, []string{"-traffic=stream"}, `traffic mode "stream" is not in the results (have: idle, busy)`},
		{"unknown release", nil, []string{"-release=v9.9.9"}, `release "v9.9.9" is not in the results`},
		{"stray argument", nil, []string{"extra"}, `unexpected arguments ["extra"]`},
		{"empty file", map[string]string{"grpc-v1.90.0.txt": ""}, nil, "grpc-v1.90.0.txt: no benchmark results in the file"},
		{"malformed line", map[string]string{"grpc-v1.90.0.txt": synth("v1.90.0", "virtual") + "BenchmarkReconnect/strategy=a/scenario=b/traffic=c 1 one missed/op\n"},
			nil, "grpc-v1.90.0.txt:59: parsing measurement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := synthFolder(t)
			write(t, dir, "REPORT.md", "the previous report\n")
			for name, content := range tc.files {
				write(t, dir, name, content)
			}
			err := run(append([]string{"-results", dir}, tc.args...), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
			if _, err := os.Stat(filepath.Join(dir, figDir)); !os.IsNotExist(err) {
				t.Errorf("a failed run wrote figures: %v", err)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "REPORT.md")); string(b) != "the previous report\n" {
				t.Errorf("a failed run replaced the report with:\n%s", b)
			}
		})
	}
	if err := run([]string{"-results", filepath.Join(t.TempDir(), "nowhere")}, io.Discard); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("missing folder: %v", err)
	}
}

func TestWriteAllIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a.png")
	write(t, dir, "a.png", "old")
	err := writeAll([]output{{good, []byte("new")}, {filepath.Join(dir, "missing", "b.png"), []byte("x")}})
	if err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
	if b, _ := os.ReadFile(good); string(b) != "old" {
		t.Errorf("a.png = %q: replaced although another output failed", b)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

// TestCLIErrors checks what a user sees for bad input: exit status 1 and
// exactly one line naming the bad value and what would be valid.
func TestCLIErrors(t *testing.T) {
	t.Parallel()
	const config = "grpc: v1.85.0\ngo: go1.26.8\nclock: virtual\nlink: local\n"
	const line = "BenchmarkReconnect/strategy=a/scenario=crash/traffic=idle 1 1 missed/op\n"
	for _, tc := range []struct {
		name  string
		files map[string]string // the results folder; nil for none
		args  []string
		want  string
	}{
		{"unknown flag", map[string]string{}, []string{"-trafic=busy"}, "flag provided but not defined: -trafic (valid flags: -release -results -svg -traffic)"},
		{"bad flag value", map[string]string{}, []string{"-svg=maybe"}, `invalid boolean value "maybe" for -svg`},
		{"no results folder", nil, nil, "cannot be read (stat "},
		{"empty results folder", map[string]string{}, nil, "no results files (grpc-*.txt): run make bench first"},
		{"malformed file", map[string]string{"grpc-v1.85.0.txt": config + "BenchmarkReconnect/strategy=a/scenario=crash/traffic=idle 1 x missed/op\n"}, nil, "grpc-v1.85.0.txt:5: parsing measurement"},
		{"missing key", map[string]string{"grpc-v1.85.0.txt": "grpc: v1.85.0\ngo: go1.26.8\nlink: local\n" + line}, nil, "grpc-v1.85.0.txt:4: Reconnect/strategy=a/scenario=crash/traffic=idle: configuration lacks clock (every result needs grpc, go, clock, link"},
		{"mixed toolchains", map[string]string{"grpc-v1.85.0.txt": config + line + "go: go1.25.0\n" + line}, nil, "grpc-v1.85.0.txt:7: Reconnect/strategy=a/scenario=crash/traffic=idle: configuration go is go1.25.0 but line 5 says go1.26.8"},
		{"file of another release", map[string]string{"grpc-v1.41.0.txt": config + line}, nil, "configuration grpc is v1.85.0 but the file is named for v1.41.0"},
		{"unknown traffic", map[string]string{"grpc-v1.85.0.txt": config + line}, []string{"-traffic=busy"}, `traffic mode "busy" is not in the results (have: idle)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "results")
			if tc.files != nil {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for name, content := range tc.files {
					write(t, dir, name, content)
				}
			}
			var stderr bytes.Buffer
			if code := cli(append([]string{"-results", dir}, tc.args...), &stderr); code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "plots: ") || !strings.Contains(lines[0], tc.want) {
				t.Errorf("stderr:\n%s\nwant one line: plots: ...%s...", stderr.String(), tc.want)
			}
		})
	}
}
