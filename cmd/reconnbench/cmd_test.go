package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reconnbench/reconnbench/versions"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// moduleRoot is where the command runs, as the Makefile runs it.
const moduleRoot = "../.."

var dirOnce sync.Once

// binaryDir makes the folder the tests build binaries into.
func binaryDir() (string, error) {
	var err error
	dirOnce.Do(func() { binDir, err = os.MkdirTemp("", "reconnbench-test-") })
	if binDir == "" && err == nil {
		err = errors.New("no folder for test binaries")
	}
	return binDir, err
}

// commandBinary builds this command once for the tests that run it as a
// user would, and returns its path.
func commandBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if _, binErr = binaryDir(); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "reconnbench")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = errors.New(string(out))
		}
	})
	if binErr != nil {
		t.Fatalf("building the versions command: %v", binErr)
	}
	return binPath
}

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchBinary builds the bench test binary against testRelease once for
// the tests that run cells, and returns its path.
func benchBinary(t *testing.T) string {
	t.Helper()
	benchOnce.Do(func() {
		if _, benchErr = binaryDir(); benchErr != nil {
			return
		}
		benchPath = filepath.Join(binDir, "bench-"+testRelease+".test")
		_, benchErr = versions.GoContext(context.Background(), moduleRoot, nil,
			"test", "-c", "-modfile="+versions.ModFile(versions.Dir, testRelease), "-o", benchPath, "./bench")
	})
	if benchErr != nil {
		t.Fatalf("building the bench test binary: %v", benchErr)
	}
	return benchPath
}

// runCommand runs the command from the module root and returns
// its exit status and standard error.
func runCommand(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(commandBinary(t), args...)
	cmd.Dir = moduleRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String()
	}
	t.Fatal(err)
	return 0, ""
}

// TestInputErrors gives every user input of the commands a bad value. Each must stop the command with exit
// status 1 and exactly one line on standard error, naming the bad value
// and what would be valid, before anything runs or is written.
func TestInputErrors(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, []byte("not a folder\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	results := func(files map[string]string) string {
		d := t.TempDir()
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	const config = "grpc: v1.85.0\ngo: go1.26.8\nclock: virtual\nlink: local\n"
	const line = "BenchmarkReconnect/strategy=watcher/scenario=crash/traffic=idle 1 0 missed/op\n"
	good := results(map[string]string{"grpc-v1.85.0.txt": config + line})
	t.Cleanup(func() { // after the parallel subtests
		if _, err := os.Stat(filepath.Join(tmp, "out")); !os.IsNotExist(err) {
			t.Errorf("a run with bad input created the results folder: %v", err)
		}
	})
	bench := func(args ...string) []string {
		return append([]string{"bench", "-versions", "v1.85.0", "-results", filepath.Join(tmp, "out")}, args...)
	}
	validate := func(args ...string) []string {
		return append([]string{"validate", "-versions", "v1.85.0", "-results", filepath.Join(tmp, "out")}, args...)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // in the one line, after "reconnbench: "
	}{
		{"unknown command", []string{"benchmark"}, `unknown command "benchmark" (valid: bench, plots, compare, bisect, boundaries, validate, throughput, soak, compat, list, add, refresh, resolve, help)`},
		{"unknown release", bench("-versions", "v1.99.0"), `unknown gRPC-Go release "v1.99.0" in VERSIONS: valid are default, all, or releases with module files (v1.30.0 ... v1.85.0`},
		{"malformed release", bench("-versions", "one.two"), `unknown gRPC-Go release "one.two" in VERSIONS: valid are default, all`},
		{"malformed toolchain", bench("-go", "1.23"), `toolchain "1.23": want a Go release such as go1.23.12 or go1.25 (GO)`},
		{"toolchain not on the proxy", bench("-go", "go1.99.0"), `toolchain "go1.99.0" cannot be had (`},
		{"unknown strategy", bench("-strategies", "watcher,retry"), `unknown strategy "retry" (valid: combined, dialer, healthwatch, identity, keepalive, watcher)`},
		{"unknown fault", bench("-faults", "meteor"), `unknown fault "meteor" (valid: `},
		{"unknown traffic", bench("-traffic", "chatty"), `unknown traffic mode "chatty" (valid: idle, busy, stream, rare)`},
		{"unknown clock", bench("-clock", "wall"), `unknown clock "wall" (valid: virtual, real)`},
		{"unknown link", bench("-link", "moon"), `unknown link profile "moon" (valid: local, lan, wan)`},
		{"count zero", bench("-count", "0"), "COUNT 0: must be a whole number of runs, at least 1"},
		{"count negative", bench("-count", "-3"), "COUNT -3: must be a whole number of runs, at least 1"},
		{"count not a number", bench("-count", "six"), `bench: invalid value "six" for flag -count: parse error (-count: result lines per cell)`},
		{"rounds zero", bench("-rounds", "0"), "ROUNDS 0: must be a whole number of rounds, at least 1"},
		{"bad downtime", bench("-downtime", "1s,3parsecs"), `DOWNTIME "3parsecs": not a duration (valid: Go durations such as 1s, 30s, 5m, 45m)`},
		{"negative downtime", bench("-downtime", "-5s"), "downtime -5s"},
		{"bad quiet", bench("-quiet", "soon"), `QUIET "soon": not a duration (valid: Go durations such as 1s, 30s, 5m, 45m)`},
		{"unknown client", bench("-client", "grpc"), `unknown client "grpc" (valid: dial, newclient)`},
		{"unknown scenario set", bench("-scenarios", "most"), `SCENARIOS: unknown scenario set "most" (valid: default, all, validate)`},
		{"unknown resolver", bench("-resolver", "xds"), `unknown resolver "xds" (valid: passthrough, dns)`},
		{"backends not a number", bench("-backends", "three"), `BACKENDS "three": not a whole number (valid: 1 to 200)`},
		{"backends zero", bench("-backends", "0"), "backends 0: must be 1 to 200"},
		{"unknown policy", bench("-policy", "ring_hash"), `unknown policy "ring_hash" (valid: pick_first, round_robin)`},
		{"no cell selected", bench("-downtime", "45s"), "no cell of the default scenario set has every value asked for (STRATEGIES, FAULTS, TRAFFIC, DOWNTIME, QUIET, CLIENT, RESOLVER, BACKENDS, POLICY): ask for values it has, or use SCENARIOS=all for every combination of them"},
		{"no cell can be", bench("-scenarios", "all", "-faults", "rolling", "-backends", "1"), "no cell can have every value asked for: fault rolling restarts backends one after another: it needs backends of at least 2"},
		{"shard out of range", bench("-shard", "5/4"), `SHARD "5/4": want i/n with 1 <= i <= n, such as 2/4`},
		{"shard zero", bench("-shard", "0/4"), `SHARD "0/4": want i/n with 1 <= i <= n`},
		{"shard malformed", bench("-shard", "half"), `SHARD "half": want i/n with 1 <= i <= n`},
		{"jobs negative", bench("-j", "-1"), "-j -1: must be at least 1, or 0 for the default"},
		{"results under a file", bench("-results", filepath.Join(file, "results")), `results folder "` + filepath.Join(file, "results") + `" cannot be created (not a directory): RESULTS must be a folder that can be written`},
		{"results is a file", bench("-results", file), `results folder "` + file + `" cannot be created (not a directory)`},
		{"resume not a boolean", bench("-resume=yes"), `bench: invalid boolean value "yes" for -resume: parse error (-resume: want 1 or 0, true or false)`},
		{"unknown flag", bench("-fault", "crash"), "bench: flag provided but not defined: -fault (valid flags: "},
		{"stray argument", bench("crash"), `bench takes flags only (-h lists them), not ["crash"]`},

		{"bisect: no strategy", []string{"bisect", "-fault", "crash", "-traffic", "idle", "-good", "v1.30.0", "-bad", "v1.85.0"}, "bisect needs STRATEGY (combined, dialer, healthwatch, identity, keepalive, watcher; or BENCH, a throughput benchmark)"},
		{"bisect: boundaries and a cell", []string{"bisect", "-boundaries", "-strategy", "dialer", "-results", good}, "BOUNDARIES=1 confirms the boundaries RESULTS holds: give no cell, BENCH, GOOD or BAD with it"},
		{"bisect: boundaries of nothing", []string{"bisect", "-boundaries", "-results", filepath.Join(tmp, "nowhere")}, `results folder "` + filepath.Join(tmp, "nowhere") + `" cannot be read`},
		{"bisect: two downtimes", []string{"bisect", "-strategy", "dialer", "-fault", "crash", "-traffic", "idle", "-downtime", "1s,30s", "-good", "v1.30.0", "-bad", "v1.85.0"}, `DOWNTIME "1s,30s": bisect follows one cell, give one duration`},
		{"bisect: unknown client", []string{"bisect", "-strategy", "dialer", "-fault", "crash", "-traffic", "idle", "-client", "new", "-good", "v1.30.0", "-bad", "v1.85.0"}, `unknown client "new" (valid: dial, newclient)`},
		{"bisect: unknown benchmark", []string{"bisect", "-bench", "Replay/mode=bulk", "-good", "v1.30.0", "-bad", "v1.85.0"}, `BENCH "Replay/mode=bulk": want a throughput benchmark, Replay/mode=stream|unary or Transport/net=netsim|bufconn|tcp/load=raw|stream|log`},
		{"bisect: benchmark and cell", []string{"bisect", "-bench", "Replay/mode=stream", "-strategy", "dialer", "-good", "v1.30.0", "-bad", "v1.85.0"}, "BENCH=Replay/mode=stream and a cell (STRATEGY, FAULT, TRAFFIC): give one or the other"},
		{"bisect: rounds zero", []string{"bisect", "-bench", "Replay/mode=stream", "-rounds", "0", "-good", "v1.30.0", "-bad", "v1.85.0"}, "ROUNDS 0: must be a whole number of rounds, at least 1"},
		{"bisect: unknown fault", []string{"bisect", "-strategy", "dialer", "-fault", "meteor", "-traffic", "idle", "-good", "v1.30.0", "-bad", "v1.85.0"}, `unknown fault "meteor" (valid: `},
		{"bisect: count zero", []string{"bisect", "-strategy", "dialer", "-fault", "crash", "-traffic", "idle", "-good", "v1.30.0", "-bad", "v1.85.0", "-count", "0"}, "COUNT 0: must be a whole number of runs, at least 1"},

		{"compat: malformed toolchain", []string{"compat", "-versions", "v1.85.0", "-go", "go1.26.8 banana"}, `toolchain "banana" in TOOLCHAINS: want Go releases such as go1.23.12`},
		{"compat: unknown release", []string{"compat", "-versions", "v1.2.3"}, `unknown gRPC-Go release "v1.2.3" in VERSIONS`},
		{"throughput: count zero", []string{"throughput", "-count", "0"}, "ROUNDS 0: must be a whole number of rounds, at least 1"},
		{"throughput: benchtime", []string{"throughput", "-benchtime", "xyz"}, `-benchtime "xyz": want a duration such as 500ms or a number of iterations such as 100x`},
		{"throughput: benchtime zero", []string{"throughput", "-benchtime", "0x"}, `-benchtime "0x": want a duration such as 500ms or a number of iterations such as 100x`},
		{"throughput: results under a file", []string{"throughput", "-results", filepath.Join(file, "results")}, `results folder "` + filepath.Join(file, "results") + `" cannot be created (not a directory): RESULTS must be a folder that can be written`},

		{"plots: unknown flag", []string{"plots", "-results", good, "-trafic=busy"}, "plots: flag provided but not defined: -trafic (valid flags: -readme -release -results -svg -traffic -versions)"},
		{"plots: unknown release", []string{"plots", "-results", good, "-versions", "v1.99.0"}, `unknown gRPC-Go release "v1.99.0" in VERSIONS`},
		{"plots: bad flag value", []string{"plots", "-results", good, "-svg=maybe"}, `invalid boolean value "maybe" for -svg`},
		{"plots: no results folder", []string{"plots", "-results", filepath.Join(tmp, "nowhere")}, "cannot be read (no such file or directory)"},
		{"plots: empty results folder", []string{"plots", "-results", results(nil)}, "no results files (grpc-*.txt): run make bench first"},
		{"plots: malformed file", []string{"plots", "-results", results(map[string]string{"grpc-v1.85.0.txt": config + "BenchmarkReconnect/strategy=a/fault=crash/traffic=idle 1 x missed/op\n"})}, "grpc-v1.85.0.txt:5: parsing measurement"},
		{"plots: unknown traffic", []string{"plots", "-results", good, "-traffic=busy"}, `traffic mode "busy" is not in the results (have: idle)`},
		{"plots: stray argument", []string{"plots", "-results", good, "extra"}, `plots takes flags only (-h lists them), not ["extra"]`},

		{"boundaries: no results", []string{"boundaries", "-results", filepath.Join(tmp, "nowhere")}, `results folder "` + filepath.Join(tmp, "nowhere") + `" cannot be read`},
		{"boundaries: stray argument", []string{"boundaries", "-results", good, "v1.41.0"}, `boundaries takes flags only (-h lists them), not ["v1.41.0"]`},

		{"soak: cycles zero", []string{"soak", "-cycles", "0"}, "SOAK_CYCLES 0: must be at least 1"},
		{"soak: negative time", []string{"soak", "-time", "-1m"}, "SOAK_TIME -1m0s: must not be negative"},
		{"soak: unknown strategy", []string{"soak", "-strategies", "retry"}, `unknown strategy "retry"`},
		{"soak: bad seed", []string{"soak", "-seed", "abc"}, `soak: invalid value "abc" for flag -seed`},

		{"validate: stray argument", validate("crash"), `validate takes flags only (-h lists them), not ["crash"]`},
		{"validate: tcp count zero", validate("-tcp-count", "0"), "-tcp-count 0: must be at least 1"},
		{"validate: negative deadline", validate("-deadline", "-1s"), "-deadline -1s: must be positive"},
		{"validate: count zero", validate("-count", "0"), "COUNT 0: must be a whole number of runs, at least 1"},
		{"validate: unknown release", validate("-versions", "v1.99.0"), `unknown gRPC-Go release "v1.99.0" in VERSIONS`},
		{"validate: malformed baseline", validate("-versions", "auto", "-baseline", results(map[string]string{"grpc-v1.85.0.txt": config + "BenchmarkReconnect/strategy=a 1 x missed/op\n"})),
			"grpc-v1.85.0.txt:5: parsing measurement"},

		{"compare: no results", []string{"compare", "-results", filepath.Join(tmp, "nowhere")}, `results folder "` + filepath.Join(tmp, "nowhere") + `" cannot be read (no such file or directory): give a folder make bench wrote`},
		{"compare: empty results", []string{"compare", "-results", results(nil)}, "no results files (grpc-*.txt): run make bench first"},
		{"compare: no baseline", []string{"compare", "-results", good, "-base", filepath.Join(tmp, "nowhere")}, `baseline: results folder "` + filepath.Join(tmp, "nowhere") + `" cannot be read`},
		{"compare: baseline of other releases", []string{"compare", "-results", good, "-base", results(map[string]string{"grpc-v1.41.0.txt": strings.Replace(config, "v1.85.0", "v1.41.0", 1) + line})},
			"has none of the releases in " + good + " (v1.85.0)"},
		{"compare: only A", []string{"compare", "-results", good, "-a", "v1.85.0"}, `A="v1.85.0" B="": compare needs both A and B`},
		{"compare: release not in results", []string{"compare", "-results", good, "-a", "v1.85.0", "-b", "v1.41.0"}, "no results for gRPC-Go v1.41.0 in " + good + " (have: v1.85.0)"},
		{"compare: malformed line", []string{"compare", "-results", results(map[string]string{"grpc-v1.85.0.txt": config + "BenchmarkReconnect/strategy=a 1 x missed/op\n"})},
			"grpc-v1.85.0.txt:5: parsing measurement"},
		{"compare: empty file", []string{"compare", "-results", results(map[string]string{"grpc-v1.85.0.txt": ""})},
			"grpc-v1.85.0.txt: no benchmark results in the file"},
		{"compare: no grpc key", []string{"compare", "-results", results(map[string]string{"grpc-v1.85.0.txt": strings.Replace(config, "grpc: v1.85.0\n", "", 1) + line})},
			"grpc-v1.85.0.txt:4: Reconnect/strategy=watcher/scenario=crash/traffic=idle: configuration lacks grpc (every result needs grpc, go, clock, link"},
		{"compare: bad clock", []string{"compare", "-results", results(map[string]string{"grpc-v1.85.0.txt": strings.Replace(config, "virtual", "fast", 1) + line})},
			`configuration clock is "fast", want virtual or real`},
		{"compare: two toolchains", []string{"compare", "-results", results(map[string]string{"grpc-v1.85.0.txt": config + line + "go: go1.23.12\n" + line})},
			"grpc-v1.85.0.txt:7: Reconnect/strategy=watcher/scenario=crash/traffic=idle: configuration go is go1.23.12 but line 5 says go1.26.8"},
		{"compare: file named for another release", []string{"compare", "-results", results(map[string]string{"grpc-v1.41.0.txt": config + line})},
			"configuration grpc is v1.85.0 but the file is named for v1.41.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stderr := runCommand(t, tc.args...)
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "reconnbench: ") || !strings.Contains(lines[0], tc.want) {
				t.Errorf("stderr:\n%s\nwant one line: reconnbench: ...%s...", stderr, tc.want)
			}
		})
	}
}

// TestResultsInUse starts a run into a results folder that another run
// holds: it must stop at once, with one line naming the folder and the
// process that holds it, and write nothing there.
func TestResultsInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keep := filepath.Join(dir, "grpc-v1.85.0.txt")
	if err := os.WriteFile(keep, []byte("what the first run wrote\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	release, err := lockResults(dir, "bench")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for _, args := range [][]string{
		{"bench", "-versions", "v1.85.0", "-results", dir},
		{"throughput", "-results", dir},
		{"plots", "-results", dir},
	} {
		code, stderr := runCommand(t, args...)
		want := fmt.Sprintf(`reconnbench: results folder %q is in use by process %d (reconnbench bench, started `, dir, os.Getpid())
		if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 1 and one line starting %s", args[0], code, stderr, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != ".lock grpc-v1.85.0.txt" {
		t.Errorf("the folder holds %v after the refused runs", names)
	}
	if data, _ := os.ReadFile(keep); string(data) != "what the first run wrote\n" {
		t.Errorf("a refused run changed the first run's file: %q", data)
	}
}
