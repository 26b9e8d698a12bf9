package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/semver"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/realnet"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

// runConfig is what `versions bench` runs: the matrix's cells against each
// selected release, under one toolchain.
type runConfig struct {
	releases  []string
	toolchain string // GOTOOLCHAIN value; empty for the go command's own
	goVersion string // what the toolchain reports, such as go1.23.12
	matrix    bench.Matrix
	link      string
	results   string
	shard     shard
	verbose   bool
	jobs      int      // cell processes at a time
	extra     []string // further flags for the test binary

	noThroughput bool         // skip BenchmarkReplay after the cells
	resume       bool         // keep complete releases and finished cells of an earlier run
	net          bench.Net    // the cells' network; empty for netsim
	ports        atomic.Int64 // server ports handed to tcp cells so far, from a random start
	portsOnce    sync.Once

	log io.Writer // progress and failures; standard error if nil

	// prebuilt holds test binaries already built, by release, for the
	// tests, which build each release once.
	prebuilt map[string]string
}

func (c *runConfig) logWriter() io.Writer {
	if c.log == nil {
		return os.Stderr
	}
	return c.log
}

// logf prints a line of progress or a failure.
func (c *runConfig) logf(format string, args ...any) {
	fmt.Fprintf(c.logWriter(), format, args...)
}

// shard is the i-th (1-based) of n disjoint slices of the work.
type shard struct{ i, n int }

func parseShard(s string) (shard, error) {
	if s == "" {
		return shard{1, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return shard{}, fmt.Errorf("SHARD %q: want i/n with 1 <= i <= n, such as 2/4", s)
	}
	return shard{i, n}, nil
}

// has reports whether unit k of the work belongs to the shard. Units are
// release × strategy, dealt round-robin so every shard gets a mix of old
// and new releases.
func (s shard) has(k int) bool { return k%s.n == s.i-1 }

func (s shard) suffix() string {
	if s.n == 1 {
		return ""
	}
	return fmt.Sprintf(".shard-%d-of-%d", s.i, s.n)
}

var toolchainPattern = regexp.MustCompile(`^go1\.[0-9]+(\.[0-9]+)?((rc|beta)[0-9]+)?$`)

// resolveToolchain checks that the toolchain can be had (the go command
// fetches it through the module proxy) and falls back to the real clock
// where it lacks testing/synctest.
func (c *runConfig) resolveToolchain(name string) error {
	if name != "" && !toolchainPattern.MatchString(name) {
		return fmt.Errorf("toolchain %q: want a Go release such as go1.23.12 or go1.25 (GO)", name)
	}
	c.toolchain = name
	out, err := c.goCmd(context.Background(), "", "env", "GOVERSION")
	if err != nil {
		return fmt.Errorf("toolchain %q cannot be had (%s): want a Go release on the module proxy, such as go1.23.12 (GO)", name, firstLine(err.Error()))
	}
	c.goVersion = strings.TrimSpace(string(out))
	if c.matrix.Clock == bench.Virtual && !hasSynctest(c.goVersion) {
		fmt.Fprintf(os.Stderr, "reconnbench: %s has no testing/synctest (Go 1.25 and newer): running the real clock\n", c.goVersion)
		c.matrix.Clock = bench.Real
	}
	return nil
}

func hasSynctest(goVersion string) bool {
	v := "v" + strings.TrimPrefix(goVersion, "go")
	return semver.Compare(semver.MajorMinor(v), "v1.25") >= 0
}

// goCmd runs the go command under the chosen toolchain.
func (c *runConfig) goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	var env []string
	if c.toolchain != "" {
		env = append(env, "GOTOOLCHAIN="+c.toolchain)
	}
	return versions.GoContext(ctx, dir, env, args...)
}

// resultPath names the results file of release v: one file per release,
// toolchain, clock, link and shard, so folders from several machines merge
// by copying.
func (c *runConfig) resultPath(v string) string {
	name := "grpc-" + v
	if c.toolchain != "" {
		name += "." + c.goVersion
	}
	switch {
	case c.net == bench.TCP:
		name += "." + string(c.net) // always on the real clock
	case c.matrix.Clock != bench.Virtual:
		name += "." + string(c.matrix.Clock)
	}
	if c.link != netsim.Local.Name {
		name += "." + c.link
	}
	return filepath.Join(c.results, name+c.shard.suffix()+".txt")
}

// errCannotBuild marks a release that the toolchain cannot build: skipped,
// not failed.
var errCannotBuild = errors.New("cannot build")

// runAll runs the matrix against every release, printing progress and an
// estimate of what is left. Interrupted (ctx ends), it stops the cells it
// started, keeps the release files already complete and the cells of the
// release it was on (see partialDir), and says how to resume.
func (c *runConfig) runAll(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "reconnbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	plan := c.plan()
	start := time.Now()
	var failed []string
	c.logf("reconnbench: %d releases, %s, %s clock, %d runs per cell -> %s\n",
		len(plan), c.goVersion, c.matrix.Clock, c.matrix.Count, c.results)
	for i, p := range plan {
		t := time.Now()
		done := i + 1
		if c.resume && c.complete(p.release) {
			c.logf("[%d/%d] gRPC-Go %s: already complete in %s\n", done, len(plan), p.release, c.resultPath(p.release))
			continue
		}
		err := c.runRelease(ctx, tmp, p.release, p.strategies)
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted during gRPC-Go %s: %d of %d releases done; its finished cells are kept in %s: run again with RESUME=1 (-resume) to do only what is missing",
				p.release, i, len(plan), c.partialDir(p.release))
		}
		elapsed := time.Since(start)
		left := time.Duration(float64(elapsed) / float64(done) * float64(len(plan)-done))
		status := "done"
		switch {
		case errors.Is(err, errCannotBuild):
			status = "skipped: " + err.Error()
		case err != nil:
			status = "FAILED: " + err.Error()
			failed = append(failed, p.release)
		}
		c.logf("[%d/%d] gRPC-Go %s: %s in %v; elapsed %v, about %v left\n",
			done, len(plan), p.release, status, time.Since(t).Round(100*time.Millisecond),
			elapsed.Round(time.Second), left.Round(time.Second))
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d releases failed: %s (RESUME=1 reruns only their failed cells)", len(failed), len(plan), strings.Join(failed, " "))
	}
	return nil
}

// partialDir is where the cells of release v wait, one results file each,
// until the release's results file is written from them: a hidden folder
// of the results folder, so that make plots and make compare never read
// it. It outlives an interrupted run and a release with failed cells, so
// that -resume reruns only the cells that are missing.
func (c *runConfig) partialDir(v string) string {
	name := strings.TrimSuffix(filepath.Base(c.resultPath(v)), ".txt")
	return filepath.Join(c.results, ".partial", name)
}

// complete reports whether release v's results file is there and every
// cell of it succeeded (no cells wait in its partial folder).
func (c *runConfig) complete(v string) bool {
	if _, err := os.Stat(c.resultPath(v)); err != nil {
		return false
	}
	_, err := os.Stat(c.partialDir(v))
	return errors.Is(err, os.ErrNotExist)
}

// cellPath names the results file of one cell of m in the partial folder
// part. The count is in the name: a resumed run with another count redoes
// the cell.
func cellPath(part string, sc bench.Scenario, count int) string {
	return filepath.Join(part, fmt.Sprintf("%s.%s.%s.n%d.txt", sc.Strategy, sc.Fault, sc.Traffic, count))
}

// runningPath is where a cell's process writes; the results are renamed
// to the cell's path only once the process succeeded.
func runningPath(path string) string {
	return strings.TrimSuffix(path, ".txt") + ".running.txt"
}

type releasePlan struct {
	release    string
	strategies []string
}

// plan lists, release by release, the strategies this shard runs.
func (c *runConfig) plan() []releasePlan {
	var plan []releasePlan
	k := 0
	for _, v := range c.releases {
		var ss []string
		for _, s := range c.matrix.Strategies {
			if c.shard.has(k) {
				ss = append(ss, s)
			}
			k++
		}
		if len(ss) > 0 {
			plan = append(plan, releasePlan{v, ss})
		}
	}
	return plan
}

var requiresGo = regexp.MustCompile(`requires go >= ([0-9.]+)`)

// runRelease builds the matrix's test binary against release v and runs the
// given strategies' cells, each in a process of its own so that a cell that
// panics, deadlocks or spins cannot take the others with it, c.jobs at a
// time. Each cell's results land in the release's partial folder when its
// process succeeds; the release's file is merged from them, in matrix
// order, once every cell has run. With c.resume, cells already in the
// partial folder are not run again.
func (c *runConfig) runRelease(ctx context.Context, tmp, v string, strategies []string) error {
	part := c.partialDir(v)
	if !c.resume {
		if err := os.RemoveAll(part); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(part, 0o755); err != nil {
		return fmt.Errorf("results folder %s is not writable: %w", c.results, err)
	}
	removeUnfinished(part)
	bin, err := c.build(ctx, tmp, versions.ModFile(versions.Dir, v), v)
	if err != nil {
		removeEmpty(part)
		return err
	}
	m := c.matrix
	m.Strategies = strategies
	cells := m.Scenarios()
	outs := make([]string, len(cells))
	errs := make([]error, len(cells))
	sem := make(chan struct{}, c.jobs)
	var wg sync.WaitGroup
	kept := 0
	for i, sc := range cells {
		outs[i] = cellPath(part, sc, m.Count)
		if c.resume && exists(outs[i]) {
			kept++
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[i] = ctx.Err()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = c.runCell(ctx, bin, v, m, sc, outs[i])
		}()
	}
	wg.Wait()
	// A cell process that was killed leaves its files half-written.
	removeUnfinished(part)
	if kept > 0 {
		c.logf("reconnbench: gRPC-Go %s: %d of %d cells kept from an earlier run\n", v, kept, len(cells))
	}
	if ctx.Err() != nil {
		return ctx.Err() // the finished cells wait in part for -resume
	}

	var failed []string
	var done []string
	for i, err := range errs {
		if err != nil {
			failed = append(failed, cells[i].Name())
			c.logf("reconnbench: gRPC-Go %s: %s FAILED: %v\n", v, cells[i].Name(), err)
			continue
		}
		done = append(done, outs[i])
	}
	// Throughput is measured after the cells, with nothing else running;
	// it has no traces.
	all := c.withThroughput(ctx, part, bin, v, strategies, done)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Keep every cell that finished, even when others failed.
	if err := resultset.MergeTraces(resultset.TracePath(c.resultPath(v)), done, nil); err != nil {
		return err
	}
	if err := resultset.Merge(c.resultPath(v), all, nil); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d cells failed; the others are in %s", len(failed), len(cells), c.resultPath(v))
	}
	if err := os.RemoveAll(part); err != nil {
		return err
	}
	removeEmpty(part)
	return nil
}

// removeEmpty removes a release's partial folder if it is empty, and the
// folder of partial releases once none is left.
func removeEmpty(part string) {
	os.Remove(part)
	os.Remove(filepath.Dir(part))
}

// removeUnfinished deletes what processes killed mid-way left in a
// partial folder: files still being written, and results of cells whose
// process did not succeed.
func removeUnfinished(part string) {
	for _, pattern := range []string{".*.tmp", "*.running.txt", "*.running.trace"} {
		names, _ := filepath.Glob(filepath.Join(part, pattern))
		for _, name := range names {
			os.Remove(name)
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// runCell runs one cell of m in its own process, with a wall-clock limit.
// A virtual cell whose clock stalls is run again on the real clock.
func (c *runConfig) runCell(ctx context.Context, bin, v string, m bench.Matrix, sc bench.Scenario, out string) error {
	m.Strategies, m.Faults, m.Traffic = []string{sc.Strategy}, []string{sc.Fault}, []bench.Traffic{sc.Traffic}
	running := runningPath(out)
	defer os.Remove(running)
	defer os.Remove(resultset.TracePath(running))
	err := c.runMatrix(ctx, bin, v, m, running)
	var exit *exec.ExitError
	if m.Clock == bench.Virtual && errors.As(err, &exit) && exit.ExitCode() == bench.ExitStalled {
		c.logf("reconnbench: gRPC-Go %s: %s stalled the virtual clock (a busy loop); running it on the real clock\n", v, sc.Name())
		m.Clock = bench.Real
		err = c.runMatrix(ctx, bin, v, m, running)
	}
	if err != nil {
		return err
	}
	// The trace first: the results file is what marks the cell done.
	if err := os.Rename(resultset.TracePath(running), resultset.TracePath(out)); err != nil {
		return err
	}
	if err := os.Rename(running, out); err != nil {
		return err
	}
	if c.verbose {
		c.logf("reconnbench: gRPC-Go %s: %s done\n", v, sc.Name())
	}
	return nil
}

// build compiles the bench test binary against release v with modFile.
func (c *runConfig) build(ctx context.Context, tmp, modFile, v string) (string, error) {
	if bin, ok := c.prebuilt[v]; ok {
		return bin, nil
	}
	bin := filepath.Join(tmp, "bench-"+v+".test")
	if _, err := c.goCmd(ctx, "", "test", "-c", "-modfile="+modFile, "-o", bin, "./bench"); err != nil {
		if m := requiresGo.FindStringSubmatch(err.Error()); m != nil {
			return "", fmt.Errorf("%w with %s: it requires go >= %s", errCannotBuild, c.goVersion, m[1])
		}
		if c.toolchain != "" {
			return "", fmt.Errorf("%w with %s: %s", errCannotBuild, c.goVersion, firstLine(err.Error()))
		}
		return "", err
	}
	return bin, nil
}

// runMatrix runs matrix m with the test binary bin, which must link
// release v, writing its results to out.
func (c *runConfig) runMatrix(ctx context.Context, bin, v string, m bench.Matrix, out string) error {
	args := []string{
		"-test.run=^TestMatrix$", "-test.count=1", "-test.timeout=0",
		"-matrix.out=" + out, "-matrix.trace=" + resultset.TracePath(out), "-matrix.grpc=" + v,
		"-matrix.strategies=" + strings.Join(m.Strategies, ","),
		"-matrix.faults=" + strings.Join(m.Faults, ","),
		"-matrix.traffic=" + joinTraffic(m.Traffic),
		"-matrix.count=" + strconv.Itoa(m.Count),
		"-matrix.clock=" + string(m.Clock),
		"-matrix.link=" + c.link,
		"-matrix.progress=" + strconv.FormatBool(c.verbose),
	}
	if c.net != "" {
		args = append(args, "-matrix.net="+string(c.net))
	}
	if c.net == bench.TCP {
		args = append(args, "-matrix.port="+strconv.Itoa(c.nextPort()))
	}
	args = append(args, c.extra...)
	ctx, cancel := context.WithTimeout(ctx, c.processLimit(m))
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	// The test binary starts no processes: killing it is enough, and it
	// stays in our process group, where Ctrl-C reaches it.
	cmd.WaitDelay = waitDelay
	var stderr childOutput
	cmd.Stderr = &stderr
	if c.verbose {
		cmd.Stdout = os.Stdout
		cmd.Stderr = io.MultiWriter(c.logWriter(), &stderr)
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("killed after %v of wall-clock time: %w", c.processLimit(m), err)
		}
		return &cellError{err: err, out: &stderr}
	}
	return nil
}

// processLimit bounds a matrix process in wall-clock time, the last resort
// behind the cycle's own bounds and the stall watchdog.
func (c *runConfig) processLimit(m bench.Matrix) time.Duration {
	cells := time.Duration(len(m.Scenarios()) * m.Count)
	if m.Clock == bench.Virtual {
		return 5*time.Minute + cells*10*time.Second
	}
	// Setup, settle, three flap outages, deadline, settle and teardown.
	return 2*time.Minute + cells*(30+2+4+60+2+10)*time.Second
}

func joinTraffic(ts []bench.Traffic) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ",")
}

// nextPort hands a tcp cell's server a port of its own: cells that run
// side by side must not share one, because a server's port is free while
// it is down. Ports go round the range below the ephemeral ports from a
// random start, so that two runs on one machine are unlikely to meet.
func (c *runConfig) nextPort() int {
	lo, hi := realnet.PortRange()
	c.portsOnce.Do(func() { c.ports.Store(rand.Int64N(int64(hi - lo))) })
	return lo + int(c.ports.Add(1)%int64(hi-lo))
}
