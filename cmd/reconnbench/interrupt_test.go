package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/resultset"
)

// leftovers lists what an interrupted run must not leave: files being
// written, and cells' results still under their running names.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".tmp") || strings.Contains(d.Name(), ".running.")) {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// reconnectLines returns the BenchmarkReconnect lines of a results file.
func reconnectLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "BenchmarkReconnect/") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestInterruptAndResume interrupts a run in the middle of a release,
// then resumes it. The interrupted run must leave no results file for the
// release and nothing half-written, and keep the cells it finished; the
// resumed run must run only the missing cells and write the release's
// file; a third run must find it complete and touch nothing.
func TestInterruptAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bench test binary")
	}
	// On the real clock a cell takes a good fraction of a second, so the
	// interrupt lands while one runs.
	c, log := tinyRun(t, bench.Real, "watcher", "dialer")
	c.jobs = 1
	part := c.partialDir(testRelease)
	finished := func() []string {
		names, _ := filepath.Glob(filepath.Join(part, "*.n1.txt"))
		var done []string
		for _, n := range names {
			if !strings.Contains(n, ".running.") {
				done = append(done, n)
			}
		}
		return done
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for len(finished()) == 0 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		cancel() // as a signal does
	}()
	err := c.runAll(ctx)
	if err == nil || !strings.Contains(err.Error(), "interrupted during gRPC-Go "+testRelease) || !strings.Contains(err.Error(), "RESUME=1") {
		t.Fatalf("interrupted run: %v; log:\n%s", err, log)
	}
	for _, p := range []string{c.resultPath(testRelease), resultset.TracePath(c.resultPath(testRelease))} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("an interrupted release left %s (%v)", p, err)
		}
	}
	if l := leftovers(t, c.results); len(l) > 0 {
		t.Errorf("an interrupted run left %v", l)
	}
	kept := map[string]bool{}
	for _, f := range finished() {
		for _, l := range reconnectLines(t, f) {
			kept[l] = true
		}
	}
	if len(kept) == 0 || len(kept) == 2 {
		t.Fatalf("the interrupted run kept %d of 2 cells, want some but not all; log:\n%s", len(kept), log)
	}

	// The resumed run also measures throughput, which joins the
	// release's file.
	c.resume, c.noThroughput, log = true, false, &syncBuffer{}
	c.log = log
	if err := c.runAll(context.Background()); err != nil {
		t.Fatalf("resumed run: %v; log:\n%s", err, log)
	}
	if want := fmt.Sprintf("%d of 2 cells kept from an earlier run", len(kept)); !strings.Contains(log.String(), want) {
		t.Errorf("the resumed run did not say it kept %d cells; log:\n%s", len(kept), log)
	}
	lines := reconnectLines(t, c.resultPath(testRelease))
	if len(lines) != 2 {
		t.Errorf("the resumed release has %d results, want 2:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	// A real-clock measurement is never the same twice: the kept lines
	// are there as they were, so they were not measured again.
	for l := range kept {
		found := false
		for _, m := range lines {
			found = found || m == l
		}
		if !found {
			t.Errorf("the kept result %q was measured again", l)
		}
	}
	if data, _ := os.ReadFile(c.resultPath(testRelease)); !strings.Contains(string(data), "\nBenchmarkReplay/mode=stream") {
		t.Errorf("the resumed release lacks its throughput results:\n%s", data)
	}
	if _, err := os.Stat(filepath.Dir(part)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the partial folder outlived a complete release: %v", err)
	}
	if _, err := os.Stat(resultset.TracePath(c.resultPath(testRelease))); err != nil {
		t.Errorf("the resumed release has no trace file: %v", err)
	}

	before, err := os.Stat(c.resultPath(testRelease))
	if err != nil {
		t.Fatal(err)
	}
	log = &syncBuffer{}
	c.log = log
	if err := c.runAll(context.Background()); err != nil || !strings.Contains(log.String(), "already complete") {
		t.Errorf("a run over a complete release: %v; log:\n%s", err, log)
	}
	if after, err := os.Stat(c.resultPath(testRelease)); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("a resumed run rewrote a complete release's file")
	}
}

// writing reports whether a cell process of the run into results is
// running a cell, whose results it will write: the moment to interrupt
// it. A cell run alone writes into a temporary file from the start; a
// process of many cells marks each cell while it runs.
func writing(results string) bool {
	tmps, _ := filepath.Glob(filepath.Join(results, ".partial", "*", ".*.tmp"))
	markers, _ := filepath.Glob(filepath.Join(results, ".partial", "*", "*.running.txt"))
	if len(tmps)+len(markers) == 0 {
		return false
	}
	for _, p := range processesMentioning(results) {
		if strings.Contains(p, " -matrix.") {
			return true // the test binary running cells, not the command
		}
	}
	return false
}

// processesMentioning lists the processes whose command line mentions s (on Linux,
// from /proc).
func processesMentioning(s string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(s)) {
			found = append(found, e.Name()+": "+string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
		}
	}
	return found
}

// TestSignalStopsBench sends the built versions command, in the middle of
// a cell, SIGINT and SIGTERM, to it alone: it must kill the cell's
// process, write no results file and nothing half-written, say how to
// resume, and exit with status 1, promptly.
func TestSignalStopsBench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bench test binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("finds child processes in /proc")
	}
	bin := commandBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			results := t.TempDir()
			// One real-clock cell takes several seconds.
			cmd := exec.Command(bin, "bench", "-versions", testRelease, "-strategies", "watcher", "-faults", "crash",
				"-traffic", "idle", "-count", "1", "-clock", "real", "-no-throughput", "-results", results)
			cmd.Dir = moduleRoot
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			deadline := time.Now().Add(2 * time.Minute)
			for !writing(results) {
				if time.Now().After(deadline) {
					t.Fatalf("no cell process started; stderr:\n%s", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			start := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			took := time.Since(start)
			t.Logf("stopped %v after %s", took.Round(time.Millisecond), sig)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("exit: %v, want status 1", err)
			}
			// A bound far above the few seconds expected, to fail rather
			// than hang.
			if took > 30*time.Second {
				t.Errorf("took %v to stop", took)
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if last := lines[len(lines)-1]; !strings.Contains(last, "interrupted during gRPC-Go "+testRelease) {
				t.Errorf("last line %q, want it to say what was interrupted and how to resume; stderr:\n%s", last, stderr.String())
			}
			if ps := processesMentioning(results); len(ps) > 0 {
				t.Errorf("processes left running: %v", ps)
			}
			if files, _ := filepath.Glob(filepath.Join(results, "grpc-*")); len(files) > 0 {
				t.Errorf("an interrupted run wrote %v", files)
			}
			if l := leftovers(t, results); len(l) > 0 {
				t.Errorf("an interrupted run left %v", l)
			}
		})
	}

	// `go run` dies of a SIGTERM without passing it on: the command must
	// notice that its parent is gone and stop all the same.
	t.Run("parent killed", func(t *testing.T) {
		t.Parallel()
		results := t.TempDir()
		errFile := filepath.Join(t.TempDir(), "stderr")
		parent := exec.Command("sh", "-c", `"$0" bench -versions `+testRelease+` -strategies watcher -faults crash -traffic idle -count 1 -clock real -no-throughput -results "$1" 2>"$2"; sleep 60`,
			bin, results, errFile)
		parent.Dir = moduleRoot
		if err := parent.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for !writing(results) {
			if time.Now().After(deadline) {
				parent.Process.Kill()
				t.Fatal("no cell process started")
			}
			time.Sleep(10 * time.Millisecond)
		}
		parent.Process.Kill()
		parent.Wait()
		start := time.Now()
		for len(processesMentioning(results)) > 0 {
			if time.Since(start) > 30*time.Second {
				t.Fatalf("still running 30s after its parent was killed: %v", processesMentioning(results))
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("stopped %v after its parent was killed", time.Since(start).Round(time.Millisecond))
		stderr, _ := os.ReadFile(errFile)
		if !strings.Contains(string(stderr), "the parent process ended") || !strings.Contains(string(stderr), "interrupted during gRPC-Go "+testRelease) {
			t.Errorf("stderr:\n%s\nwant it to say the parent ended and what was interrupted", stderr)
		}
		if files, _ := filepath.Glob(filepath.Join(results, "grpc-*")); len(files) > 0 {
			t.Errorf("an interrupted run wrote %v", files)
		}
		if l := leftovers(t, results); len(l) > 0 {
			t.Errorf("an interrupted run left %v", l)
		}
	})
}
