package plots

import (
	"bytes"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/resultset/resultsettest"
)

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	dir := resultsettest.Folder(t)
	resultsettest.Write(t, dir, "grpc-v1.85.0.txt", resultsettest.Release("v1.85.0", "virtual")+"clock: real\n"+
		"BenchmarkReplay/strategy=good/mode=stream-2 100 1000000 ns/op 400000 msgs/s\n"+
		"BenchmarkReplay/strategy=good/mode=unary-2 100 30000000 ns/op 30000 msgs/s\n")
	if err := os.MkdirAll(filepath.Join(dir, FigDir), 0o755); err != nil {
		t.Fatal(err)
	}
	resultsettest.Write(t, dir, filepath.Join(FigDir, "recovery-stream.png"), "from a run whose results are gone")
	// An old release measured for one strategy and fault only: the other
	// cells are "not measured", never zero.
	resultsettest.Write(t, dir, "grpc-v1.9.0.txt", resultsettest.Config("v1.9.0", "go1.26.8", "virtual", "local")+resultsettest.Line("good", "crash", "idle", 3, 2))

	var stderr bytes.Buffer
	if err := Write(dir, Options{SVG: true}, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"recovery-idle", "missed", "dials-idle", "detect-blackhole", "cdf", "throughput", "timeline-crash-idle"} {
		for _, ext := range []string{".png", ".svg"} {
			p := filepath.Join(dir, FigDir, name+ext)
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
	if _, err := os.Stat(filepath.Join(dir, FigDir, "recovery-stream.png")); !os.IsNotExist(err) {
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

func TestWriteOptions(t *testing.T) {
	t.Parallel()
	dir := resultsettest.Folder(t)
	if err := Write(dir, Options{Traffic: "busy", Release: "v1.40.1"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"recovery-busy.png", "dials-busy.png", "cdf.png"} {
		if _, err := os.Stat(filepath.Join(dir, FigDir, name)); err != nil {
			t.Error(err)
		}
	}
	if svgs, _ := filepath.Glob(filepath.Join(dir, FigDir, "*.svg")); len(svgs) > 0 {
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

// TestWriteReleases: the figures and tables show the releases asked for,
// and the findings still come from every release.
func TestWriteReleases(t *testing.T) {
	t.Parallel()
	dir := resultsettest.Folder(t) // v1.40.1, v1.41.0, v1.85.0
	if err := Write(dir, Options{Releases: []string{"v1.40.1", "v1.85.0"}}, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	report := string(b)
	for _, want := range []string{
		"The figures and the tables by release show 2 of the 3 releases (v1.40.1, v1.85.0)",
		"| strategy | v1.40.1 | v1.85.0 |",
		"stops recovering at **v1.41.0**", // a finding from the release not shown
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(report, "| strategy | v1.40.1 | v1.41.0") {
		t.Error("a table shows a release not asked for")
	}
	if t.Failed() {
		t.Logf("report:\n%s", report)
	}
}

func TestWriteErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		opts  Options
		want  string
	}{
		{"unknown traffic", nil, Options{Traffic: "stream"}, `traffic mode "stream" is not in the results (have: idle, busy)`},
		{"unknown release", nil, Options{Release: "v9.9.9"}, `release "v9.9.9" is not in the results`},
		{"no release to show", nil, Options{Releases: []string{"v1.30.0"}}, "none of the releases to show (v1.30.0) is in the results"},
		{"empty file", map[string]string{"grpc-v1.90.0.txt": ""}, Options{}, "grpc-v1.90.0.txt: no benchmark results in the file"},
		{"malformed line", map[string]string{"grpc-v1.90.0.txt": resultsettest.Release("v1.90.0", "virtual") + "BenchmarkReconnect/strategy=a/fault=b/traffic=c 1 one missed/op\n"},
			Options{}, "grpc-v1.90.0.txt:59: parsing measurement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := resultsettest.Folder(t)
			resultsettest.Write(t, dir, "REPORT.md", "the previous report\n")
			for name, content := range tc.files {
				resultsettest.Write(t, dir, name, content)
			}
			err := Write(dir, tc.opts, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
			if _, err := os.Stat(filepath.Join(dir, FigDir)); !os.IsNotExist(err) {
				t.Errorf("a failed run wrote figures: %v", err)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "REPORT.md")); string(b) != "the previous report\n" {
				t.Errorf("a failed run replaced the report with:\n%s", b)
			}
		})
	}
	if err := Write(filepath.Join(t.TempDir(), "nowhere"), Options{}, io.Discard); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("missing folder: %v", err)
	}
}

func TestWriteAllIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a.png")
	resultsettest.Write(t, dir, "a.png", "old")
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
