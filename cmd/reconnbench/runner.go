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
	"runtime"
	"slices"
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
	jobs      int      // cells at a time: workers of a batch process, or processes
	extra     []string // further flags for the test binary

	noThroughput bool         // skip BenchmarkReplay after the cells
	rounds       int          // rounds of BenchmarkReplay after a release's cells
	plots        bool         // draw figures and the report when done
	resume       bool         // keep complete releases and finished cells of an earlier run
	dryRun       bool         // print what would run, run nothing
	net          bench.Net    // the cells' network; empty for netsim
	ports        atomic.Int64 // server ports handed to tcp cells so far, from a random start
	portsOnce    sync.Once

	log io.Writer // progress and failures; standard error if nil

	spent spent // where the time of runAll went

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

// qualifier names the shard in a results file's name; "" for the whole.
func (s shard) qualifier() string {
	if s.n == 1 {
		return ""
	}
	return fmt.Sprintf("shard-%d-of-%d", s.i, s.n)
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
	var toolchain, clock, link string
	if c.toolchain != "" {
		toolchain = c.goVersion
	}
	switch {
	case c.net == bench.TCP:
		clock = string(c.net) // always on the real clock
	case c.matrix.Clock != bench.Virtual:
		clock = string(c.matrix.Clock)
	}
	if c.link != netsim.Local.Name {
		link = c.link
	}
	return filepath.Join(c.results, resultset.FileName(v, toolchain, clock, link, c.shard.qualifier()))
}

// errCannotBuild marks a release that the toolchain cannot build: skipped,
// not failed.
var errCannotBuild = errors.New("cannot build")

// spent is where a run's time went, for its last line.
type spent struct {
	mu                          sync.Mutex
	compile, cells, throughput  time.Duration
	binaries, cycles, processes int
}

func (s *spent) add(d *time.Duration, since time.Time) {
	s.mu.Lock()
	*d += time.Since(since)
	s.mu.Unlock()
}

// count adds n to a count.
func (s *spent) count(k *int, n int) {
	s.mu.Lock()
	*k += n
	s.mu.Unlock()
}

func (s *spent) reset() {
	s.mu.Lock()
	s.compile, s.cells, s.throughput = 0, 0, 0
	s.binaries, s.cycles, s.processes = 0, 0, 0
	s.mu.Unlock()
}

// built is a release's test binary, or why there is none.
type built struct {
	bin string
	err error
}

// runAll runs the matrix against every release, printing progress and an
// estimate of what is left; runBench then says where the time went.
// Interrupted (ctx ends), it stops the cells it started, keeps the release
// files already complete and the cells of the release it was on (see
// partialDir), and says how to resume.
//
// It keeps the machine's cores busy in two phases. First it builds every
// release's test binary, as many at a time as there are cores. Then,
// release by release, it runs the cells, one process running a cell per
// core (see runRelease), and measures throughput with nothing else
// running. Building first keeps the compiler from slowing the cells and
// from disturbing the throughput.
func (c *runConfig) runAll(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "reconnbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	plan := c.plan()
	start := time.Now()
	c.spent.reset()
	c.logf("reconnbench: %d releases, %s, %s clock, %d runs per cell -> %s\n",
		len(plan), c.goVersion, c.matrix.Clock, c.matrix.Count, c.results)
	bins := c.buildAll(ctx, tmp, plan)
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted while compiling the test binaries: nothing was measured")
	}
	var failed []string
	for i, p := range plan {
		t := time.Now()
		done := i + 1
		if c.resume && c.complete(p.release) {
			c.logf("[%d/%d] gRPC-Go %s: already complete in %s\n", done, len(plan), p.release, c.resultPath(p.release))
			continue
		}
		err := bins[i].err
		if err == nil {
			err = c.runRelease(ctx, bins[i].bin, p.release, p.strategies)
		}
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

// buildAll builds the test binary of every release of the plan that is not
// complete already, as many at a time as there are cores.
func (c *runConfig) buildAll(ctx context.Context, tmp string, plan []releasePlan) []built {
	t := time.Now()
	defer c.spent.add(&c.spent.compile, t)
	bins := make([]built, len(plan))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, p := range plan {
		if c.resume && c.complete(p.release) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				bins[i].err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			bin, err := c.build(ctx, tmp, versions.ModFile(versions.Dir, p.release), p.release)
			bins[i] = built{bin, err}
			if c.verbose && err == nil {
				c.logf("reconnbench: built the test binary of gRPC-Go %s\n", p.release)
			}
		}()
	}
	wg.Wait()
	return bins
}

// summary says where the time of a run went: total, of which plots drew.
func (s *spent) summary(total, plots time.Duration) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rate := ""
	if s.cells > 0 {
		rate = fmt.Sprintf(", %.0f a second", float64(s.cycles)/s.cells.Seconds())
	}
	return fmt.Sprintf("%v in all: compiling %v (%d test binaries), cells %v (%d cycles in %d processes%s), throughput %v, plots %v",
		total.Round(time.Second), s.compile.Round(100*time.Millisecond), s.binaries, s.cells.Round(100*time.Millisecond), s.cycles, s.processes, rate,
		s.throughput.Round(100*time.Millisecond), plots.Round(100*time.Millisecond))
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

// runningPath is where a cell's own process writes; the results are
// renamed to the cell's path only once the process succeeded. It is the
// name of the marker a batch process leaves while a cell runs.
func runningPath(path string) string { return bench.RunningMarker(path) }

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

// runRelease runs the given strategies' cells of release v with its test
// binary bin, then its throughput. Each cell's results land in the
// release's partial folder as the cell ends; the release's file is merged
// from them, in matrix order, once every cell has run. With c.resume,
// cells already in the partial folder are not run again.
//
// Cells on netsim run in as few processes as isolation allows (see
// runBatches); cells on real TCP each run in a process of their own, since
// each holds a server port for the whole process.
func (c *runConfig) runRelease(ctx context.Context, bin, v string, strategies []string) error {
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
	m := c.matrix
	var cells []bench.Scenario
	for _, sc := range m.Scenarios() {
		if slices.Contains(strategies, sc.Strategy) {
			cells = append(cells, sc)
		}
	}
	outs := make([]string, len(cells))
	var pending []int
	for i, sc := range cells {
		outs[i] = bench.CellFile(part, sc.Cell(), m.Count)
		if !c.resume || !exists(outs[i]) {
			pending = append(pending, i)
		}
	}
	if kept := len(cells) - len(pending); kept > 0 {
		c.logf("reconnbench: gRPC-Go %s: %d of %d cells kept from an earlier run\n", v, kept, len(cells))
	}
	t := time.Now()
	var errs map[int]error
	if c.net == bench.TCP {
		errs = c.runAlone(ctx, bin, v, m, cells, outs, pending)
	} else {
		errs = c.runBatches(ctx, bin, v, m, cells, outs, pending)
	}
	c.spent.add(&c.spent.cells, t)
	// A cell process that was killed leaves its files half-written.
	removeUnfinished(part)
	if ctx.Err() != nil {
		return ctx.Err() // the finished cells wait in part for -resume
	}

	var failed []string
	var done []string
	for i := range cells {
		if err := errs[i]; err != nil {
			failed = append(failed, cells[i].Name())
			c.logf("reconnbench: gRPC-Go %s: %s FAILED: %v\n", v, cells[i].Name(), err)
			continue
		}
		done = append(done, outs[i])
	}
	c.spent.count(&c.spent.cycles, len(pending)*m.Count*m.Cycles)
	// Throughput is measured after the cells, with nothing else running;
	// it has no traces.
	all := c.withThroughput(ctx, part, bin, v, done)
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

// runBatches runs the pending cells (indices into cells) of release v in
// as few processes as isolation allows: one process runs them all, c.jobs
// at a time, each cell's results committed to its file (outs[i]) as it
// ends. If the process dies (a panic, a stalled or hung cycle, a kill at
// its wall-clock limit), the cells it had started and not finished, whose
// markers it left, are each run again alone in a process of their own,
// which reports their failure with its reason and stack, as runCell does;
// the cells it had not started go to a fresh process. So a cell that
// panics, hangs, stalls or leaks cannot take the others with it. It
// returns the cells that failed, by index.
func (c *runConfig) runBatches(ctx context.Context, bin, v string, m bench.Matrix, cells []bench.Scenario, outs []string, pending []int) map[int]error {
	errs := map[int]error{}
	for len(pending) > 0 && ctx.Err() == nil {
		batch := make([]resultset.Cell, len(pending))
		for k, i := range pending {
			batch[k] = cells[i].Cell()
		}
		err := c.runMatrix(ctx, bin, v, m, batch, filepath.Dir(outs[pending[0]]), true)
		c.spent.count(&c.spent.processes, 1)
		if ctx.Err() != nil {
			return errs
		}
		var suspects, rest []int
		why := "" // what to say of the process, if it failed
		if err != nil {
			why = firstLine(err.Error())
		}
		for _, i := range pending {
			switch {
			case exists(outs[i]):
			case exists(runningPath(outs[i])):
				os.Remove(runningPath(outs[i]))
				suspects = append(suspects, i)
			default:
				rest = append(rest, i)
			}
		}
		switch {
		case err == nil:
			// Every cell ended; a clean exit leaves none behind.
			suspects = append(suspects, rest...)
			rest = nil
		case len(suspects) == 0 && len(rest) == len(pending):
			// It died before it started a cell: nothing tells them apart.
			suspects, rest = rest, nil
		case len(suspects) == 0 && len(rest) == 0:
			// It failed after every cell ended, which the cells' own
			// checks did not catch (goleak found a goroutine left over):
			// each cell runs again alone, so that the one at fault fails.
			c.logf("reconnbench: gRPC-Go %s: the process of %d cells failed after they ended: %s; running each again alone\n",
				v, len(pending), why)
			suspects, why = pending, ""
		}
		if why != "" && len(suspects) > 0 {
			which := fmt.Sprintf("each of its %d cells", len(suspects))
			if len(suspects) < len(pending) {
				names := make([]string, len(suspects))
				for k, i := range suspects {
					names[k] = cells[i].Name()
				}
				which = "the cells it had not finished: " + strings.Join(names, ", ")
			}
			c.logf("reconnbench: gRPC-Go %s: the process of %d cells failed (%s); running alone %s\n",
				v, len(pending), why, which)
		}
		for i, e := range c.runAlone(ctx, bin, v, m, cells, outs, suspects) {
			errs[i] = e
		}
		pending = rest
	}
	return errs
}

// runAlone runs the cells (indices into cells) each in a process of its
// own, c.jobs at a time, and returns those that failed, by index.
func (c *runConfig) runAlone(ctx context.Context, bin, v string, m bench.Matrix, cells []bench.Scenario, outs []string, which []int) map[int]error {
	errs := map[int]error{}
	var mu sync.Mutex
	sem := make(chan struct{}, c.jobs)
	var wg sync.WaitGroup
	for _, i := range which {
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
			if err := c.runCell(ctx, bin, v, m, cells[i], outs[i]); err != nil {
				mu.Lock()
				errs[i] = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

// removeEmpty removes a release's partial folder if it is empty, and the
// folder of partial releases once none is left.
func removeEmpty(part string) {
	os.Remove(part)
	os.Remove(filepath.Dir(part))
}

// removeUnfinished deletes what processes killed mid-way left in a
// partial folder: files still being written, markers of cells that were
// running, and results of cells whose own process did not succeed.
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
// A virtual cycle that stalls its clock is measured again on the real
// clock and the cell goes on (bench.Matrix.RealOnStall). A process bears
// only so many stalled bubbles: when it cuts the cell short, a fresh
// process runs the runs still missing, and once a process completes
// none on the virtual clock, the rest run on the real clock.
func (c *runConfig) runCell(ctx context.Context, bin, v string, m bench.Matrix, sc bench.Scenario, out string) error {
	running := runningPath(out)
	defer os.Remove(running)
	defer os.Remove(resultset.TracePath(running))
	more := strings.TrimSuffix(running, ".txt") + ".more.txt"
	defer os.Remove(more)
	defer os.Remove(resultset.TracePath(more))
	cells := []resultset.Cell{sc.Cell()}
	count, done, virtual := m.Count, 0, m.Clock == bench.Virtual
	for done < count {
		rest := m
		rest.Count = count - done
		rest.RealOnStall = rest.Clock == bench.Virtual
		into := running
		if done > 0 {
			into = more
		}
		err := c.runMatrix(ctx, bin, v, rest, cells, into, false)
		c.spent.count(&c.spent.processes, 1)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != bench.ExitCutShort {
			if err == nil && into == more {
				err = appendRuns(running, more)
			}
			if err != nil {
				return err
			}
			break
		}
		// Cut short: the runs it completed are in into.
		n, real := countRuns(into)
		if into == more {
			if err := appendRuns(running, more); err != nil {
				return err
			}
		}
		done += n
		if n == real {
			// Not one run on the virtual clock: the rest would stall
			// as these did.
			c.logf("reconnbench: gRPC-Go %s: %s stalled the virtual clock in every run a process tried (a busy loop); running the %d runs left on the real clock\n",
				v, sc.Name(), count-done)
			m.Clock = bench.Real
		}
	}
	// The trace first: the results file is what marks the cell done.
	if err := os.Rename(resultset.TracePath(running), resultset.TracePath(out)); err != nil {
		return err
	}
	if _, n := countRuns(running); virtual && n > 0 {
		c.logf("reconnbench: gRPC-Go %s: %s: %d of its %d runs on the real clock, where the virtual clock stalled (a busy loop)\n",
			v, sc.Name(), n, count)
	}
	if err := os.Rename(running, out); err != nil {
		return err
	}
	if c.verbose {
		c.logf("reconnbench: gRPC-Go %s: %s done\n", v, sc.Name())
	}
	return nil
}

// appendRuns adds the results of the file more, and nothing of its trace,
// to the results file into: a cell's runs made by a later process after
// the first had to stop; the trace is the first cycle's, which into has.
func appendRuns(into, more string) error {
	return resultset.Merge(into, []string{into, more}, nil)
}

// countRuns counts the reconnect results of a results file, all and those
// measured on the real clock; none if it cannot be read.
func countRuns(path string) (all, real int) {
	rs, err := resultset.ReadFile(path)
	if err != nil {
		return 0, 0
	}
	for _, r := range rs {
		if r.Name.Base != resultset.Reconnect {
			continue
		}
		all++
		if r.Config("clock") == string(bench.Real) {
			real++
		}
	}
	return all, real
}

// build compiles the bench test binary against release v with modFile.
func (c *runConfig) build(ctx context.Context, tmp, modFile, v string) (string, error) {
	if bin, ok := c.prebuilt[v]; ok {
		return bin, nil
	}
	bin := filepath.Join(tmp, "bench-"+v+".test")
	var env []string
	if c.toolchain != "" {
		env = append(env, "GOTOOLCHAIN="+c.toolchain)
	}
	// Releases without grpc.NewClient build with a tag that records its
	// cells as not applicable (versions.BuildTags), v1.51.0 with the
	// linker's go:linkname check off (versions.LinkerFlags).
	args := append([]string{"test", "-c", "-modfile=" + modFile}, versions.BuildFlags(v)...)
	if _, err := versions.GoContext(ctx, "", env, append(args, "-o", bin, "./bench")...); err != nil {
		if m := requiresGo.FindStringSubmatch(err.Error()); m != nil {
			return "", fmt.Errorf("%w with %s: it requires go >= %s", errCannotBuild, c.goVersion, m[1])
		}
		if c.toolchain != "" {
			return "", fmt.Errorf("%w with %s: %s", errCannotBuild, c.goVersion, firstLine(err.Error()))
		}
		return "", err
	}
	c.spent.count(&c.spent.binaries, 1)
	return bin, nil
}

// runMatrix runs cells of matrix m with the test binary bin, which must
// link release v: into the results file out and the trace file beside it,
// or, with dir, each cell into a file of its own in the folder out
// (bench.CellFile), c.jobs cells at a time.
func (c *runConfig) runMatrix(ctx context.Context, bin, v string, m bench.Matrix, cells []resultset.Cell, out string, dir bool) error {
	list, err := os.CreateTemp("", "reconnbench-cells-*.txt")
	if err != nil {
		return err
	}
	list.Close()
	defer os.Remove(list.Name())
	if err := bench.WriteCellList(list.Name(), cells); err != nil {
		return err
	}
	args := []string{
		"-test.run=^TestMatrix$", "-test.count=1", "-test.timeout=0",
		"-matrix.cells=" + list.Name(), "-matrix.grpc=" + v,
		"-matrix.count=" + strconv.Itoa(m.Count),
		"-matrix.clock=" + string(m.Clock),
		"-matrix.link=" + c.link,
		"-matrix.progress=" + strconv.FormatBool(c.verbose),
		"-matrix.workers=" + strconv.Itoa(max(c.jobs, 1)),
	}
	if dir {
		args = append(args, "-matrix.dir="+out)
	} else {
		args = append(args, "-matrix.out="+out, "-matrix.trace="+resultset.TracePath(out))
	}
	if c.net != "" {
		args = append(args, "-matrix.net="+string(c.net))
	}
	if m.RealOnStall {
		args = append(args, "-matrix.realonstall")
	}
	if c.net == bench.TCP {
		args = append(args, "-matrix.port="+strconv.Itoa(c.nextPort()))
	}
	args = append(args, c.extra...)
	limit := c.processLimit(m, cells)
	ctx, cancel := context.WithTimeout(ctx, limit)
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
			err = fmt.Errorf("killed after %v of wall-clock time: %w", limit, err)
		}
		return &cellError{err: err, out: &stderr}
	}
	return nil
}

// processLimit bounds a matrix process running cells in wall-clock time,
// the last resort behind the cycle's own bounds and the stall watchdog.
// A virtual cycle takes milliseconds whatever its timers; a real one
// takes as long as its waits, which bench.MaxDuration bounds, with the
// deadline the process is given (m.Base.Deadline: validate's -deadline,
// or the default for the cell's downtime).
func (c *runConfig) processLimit(m bench.Matrix, cells []resultset.Cell) time.Duration {
	real := func(runs int) time.Duration {
		var d time.Duration
		for _, cell := range cells {
			sc := bench.ScenarioOf(cell)
			sc.Deadline = m.Base.Deadline
			d += time.Duration(runs) * bench.MaxDuration(sc)
		}
		return d
	}
	if m.Clock == bench.Virtual {
		limit := 5*time.Minute + time.Duration(len(cells)*m.Count)*10*time.Second
		if m.RealOnStall {
			limit += real(bench.MaxStalls) // the stalled cycles measured on the real clock
		}
		return limit
	}
	return 2*time.Minute + real(m.Count)
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
