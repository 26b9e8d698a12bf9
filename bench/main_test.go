package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/netsim/dnssim"
	"github.com/reconnbench/reconnbench/realnet"
	"github.com/reconnbench/reconnbench/resultset"
)

// The matrix runs from a Go test because synctest.Test needs a *testing.T.
// These flags configure it; the Makefile sets them.
var (
	matrixOut         = flag.String("matrix.out", "", "run the reconnect matrix and write its results to this `file`")
	matrixDir         = flag.String("matrix.dir", "", "run the reconnect matrix and write each cell's results and trace to a file of its own in this `folder` (bench.CellFile), as it ends")
	matrixWorkers     = flag.Int("matrix.workers", 1, "cells run at once, each cycle in a bubble of its own")
	matrixCells       = flag.String("matrix.cells", "", "run the cells named in this `file`, one benchmark name a line, instead of every combination of -matrix.strategies, -matrix.faults and -matrix.traffic")
	matrixStrategies  = flag.String("matrix.strategies", "", "strategies to run, comma- or space-separated (default all)")
	matrixFaults      = flag.String("matrix.faults", "", "faults to inject, comma- or space-separated (default all)")
	matrixTraffic     = flag.String("matrix.traffic", "", "traffic modes, comma- or space-separated (default all)")
	matrixCount       = flag.Int("matrix.count", 6, "result lines per cell")
	matrixCycles      = flag.Int("matrix.cycles", 1, "restart cycles averaged into each result line")
	matrixClock       = flag.String("matrix.clock", string(Virtual), "clock: virtual or real")
	matrixLink        = flag.String("matrix.link", netsim.Local.Name, "link profile: local, lan or wan")
	matrixDowntime    = flag.String("matrix.downtime", DefaultDowntime.String(), "how long the server stays down (for rotate, the grace period), durations comma- or space-separated")
	matrixQuiet       = flag.String("matrix.quiet", DefaultQuiet.String(), "quiet time between the first replay and the fault (for rotate, the connection-age limit), durations comma- or space-separated")
	matrixClient      = flag.String("matrix.client", string(DefaultClient), "how the client builds its channel: dial, newclient, comma- or space-separated")
	matrixResolver    = flag.String("matrix.resolver", string(DefaultResolver), "how the client's target names the service: passthrough, dns, comma- or space-separated")
	matrixBackends    = flag.String("matrix.backends", fmt.Sprint(DefaultBackends), "how many backends serve the service (more than 1 needs resolver dns), comma- or space-separated")
	matrixPolicy      = flag.String("matrix.policy", string(DefaultPolicy), "the client's load-balancing policy: pick_first, round_robin, comma- or space-separated")
	matrixDeadline    = flag.Duration("matrix.deadline", 0, "how long recovery may take after the server is back (0: 1m0s, or 2m30s after a downtime over 1m0s)")
	matrixSettle      = flag.Duration("matrix.settle", DefaultSettle, "wait after a recovery, or after a fault that needs none, for late replays")
	matrixWantGRPC    = flag.String("matrix.grpc", "", "fail unless this gRPC-Go `version` is the one linked")
	matrixTrace       = flag.String("matrix.trace", "", "also write each cell's first restart cycle to this trace `file`")
	matrixNet         = flag.String("matrix.net", string(NetSim), "network: netsim, or tcp (real loopback TCP and server processes, real clock)")
	matrixPort        = flag.Int("matrix.port", 0, "with -matrix.net=tcp: the server's loopback `port` (0: pick one below the ephemeral range)")
	serverEntries     = flag.Int("server.entries", 1000, "in a tcp testbed's server process: log entries that complete the store")
	matrixProgress    = flag.Bool("matrix.progress", true, "print a line per cell as it completes")
	matrixStall       = flag.Duration("matrix.stall", StallLimit, "wall-clock time a virtual cycle may go without its clock advancing")
	matrixRealOnStall = flag.Bool("matrix.realonstall", false, "measure a virtual cycle that stalls again on the real clock and go on (Matrix.RealOnStall)")
)

// matrix is the matrix the flags describe, checked in TestMain.
var matrix Matrix

func TestMain(m *testing.M) {
	flag.Parse()
	if c, ok := realnet.ChildFromEnv(); ok {
		// Started by a tcp testbed as its server process.
		os.Exit(serveProcess(c, *serverEntries))
	}
	serverPort = *matrixPort
	serverCommand = func(entries int) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$", "-server.entries="+strconv.Itoa(entries))
		cmd.Stderr = os.Stderr
		return cmd
	}
	if *matrixMisbehave {
		registerMisbehaving()
	}
	// Outside every bubble and before any lookup (see dnssim): if it
	// fails, cells with resolver dns fail with its error
	// (dnssim.Installed), and the others run.
	dnssim.InstallDefaultResolver()
	StallLimit = *matrixStall
	if *matrixOut != "" || *matrixDir != "" {
		var err error
		if matrix, err = matrixFromFlags(); err != nil {
			fmt.Fprintln(os.Stderr, "reconnbench:", err)
			os.Exit(2)
		}
	}
	goleak.VerifyTestMain(m)
}

func matrixFromFlags() (Matrix, error) {
	mx := DefaultMatrix()
	if s := ParseList(*matrixStrategies); len(s) > 0 {
		mx.Strategies = s
	}
	if f := ParseList(*matrixFaults); len(f) > 0 {
		mx.Faults = f
	}
	if t := ParseList(*matrixTraffic); len(t) > 0 {
		mx.Traffic = nil
		for _, name := range t {
			mx.Traffic = append(mx.Traffic, Traffic(name))
		}
	}
	var err error
	if mx.Downtimes, err = ParseDurations("downtime", *matrixDowntime); err != nil {
		return mx, err
	}
	if mx.Quiets, err = ParseDurations("quiet", *matrixQuiet); err != nil {
		return mx, err
	}
	mx.Clients = nil
	for _, name := range ParseList(*matrixClient) {
		mx.Clients = append(mx.Clients, Client(name))
	}
	mx.Resolvers, mx.Backends, mx.Policies = nil, nil, nil
	for _, name := range ParseList(*matrixResolver) {
		mx.Resolvers = append(mx.Resolvers, Resolver(name))
	}
	for _, w := range ParseList(*matrixBackends) {
		b, err := strconv.Atoi(w)
		if err != nil {
			return mx, fmt.Errorf("backends %q: not a count such as 1 or 3", w)
		}
		mx.Backends = append(mx.Backends, b)
	}
	for _, name := range ParseList(*matrixPolicy) {
		mx.Policies = append(mx.Policies, Policy(name))
	}
	mx.Count, mx.Cycles, mx.Workers = *matrixCount, *matrixCycles, *matrixWorkers
	mx.RealOnStall = *matrixRealOnStall
	if *matrixCells != "" {
		if mx.Cells, err = ReadCellList(*matrixCells); err != nil {
			return mx, err
		}
	}
	mx.Clock = Clock(*matrixClock)
	link, err := netsim.LookupProfile(*matrixLink)
	if err != nil {
		return mx, err
	}
	net, err := ParseNet(*matrixNet)
	if err != nil {
		return mx, err
	}
	mx.Base = Scenario{Net: net, Link: link, Deadline: *matrixDeadline, Settle: *matrixSettle}
	if err := mx.Validate(); err != nil {
		return mx, err
	}
	if linked := GRPCVersion(); *matrixWantGRPC != "" && *matrixWantGRPC != linked {
		return mx, fmt.Errorf("gRPC-Go %s was requested but %s is linked (check the go.mod in use)", *matrixWantGRPC, linked)
	}
	return mx, nil
}

// TestMatrix runs the reconnect matrix when -matrix.out or -matrix.dir is
// set, writing the results in the Go benchmark format: into one file (and
// the trace file beside it, with -matrix.trace), or cell by cell into a
// folder.
func TestMatrix(t *testing.T) {
	if *matrixOut == "" && *matrixDir == "" {
		t.Skip("set -matrix.out or -matrix.dir to run the reconnect matrix")
	}
	env := Env{GRPC: GRPCVersion(), Go: GoVersion(), Clock: matrix.Clock}
	var sink Sink
	var commit []*resultset.PendingFile
	dest := *matrixDir
	if *matrixDir != "" {
		if err := os.MkdirAll(*matrixDir, 0o755); err != nil {
			t.Fatal(err)
		}
		sink = DirSink{Dir: *matrixDir, Count: matrix.Count}
	} else {
		f, err := resultset.Create(*matrixOut)
		if err != nil {
			t.Fatal(err)
		}
		fs := FileSink{Results: f.Benchfmt()}
		commit = append(commit, f.PendingFile)
		if *matrixTrace != "" {
			traces, err := resultset.CreateTrace(*matrixTrace)
			if err != nil {
				t.Fatal(err)
			}
			fs.Traces = traces
			commit = append(commit, traces.PendingFile)
		}
		sink, dest = fs, f.Path()
	}
	start := time.Now()
	progress := io.Discard
	if *matrixProgress {
		progress = os.Stderr
	}
	fmt.Fprintf(progress, "reconnbench: gRPC-Go %s, %s, %s clock: %d cells x %d runs, %d at a time -> %s\n",
		env.GRPC, env.Go, env.Clock, len(matrix.Scenarios()), matrix.Count, max(matrix.Workers, 1), dest)
	failed := matrix.Run(t, env, sink, progress)
	// Keep what was measured even if some cells failed.
	for _, p := range commit {
		if err := p.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Fprintf(progress, "reconnbench: wrote %s in %v\n", dest, time.Since(start).Round(time.Millisecond))
	stalled, stuck, cut := false, false, 0
	for _, e := range failed {
		if errors.Is(e, ErrCutShort) {
			fmt.Fprintln(os.Stderr, "reconnbench:", e)
			cut++
			continue
		}
		fmt.Fprintln(os.Stderr, "reconnbench: FAILED", e)
		var stall *StallError
		stalled = stalled || errors.As(e, &stall)
		stuck = stuck || Stuck(e)
	}
	switch {
	case cut > 0 && cut == len(failed):
		// Its complete runs are committed; ExitCutShort tells the
		// runner to run the rest in a fresh process.
		os.Exit(ExitCutShort)
	case stalled:
		// A stalled bubble never ends: neither the test nor goleak could
		// finish. ExitStalled tells the runner to retry on the real clock.
		os.Exit(ExitStalled)
	case stuck:
		// A hung cycle never ends either; the real clock would not help.
		os.Exit(1)
	case StalledBubbles() > 0:
		// The cycles that stalled were measured on the real clock and
		// the results are committed, but their bubbles still spin:
		// neither the test nor goleak could finish.
		if len(failed) > 0 {
			os.Exit(1)
		}
		os.Exit(0)
	}
	if len(failed) > 0 {
		t.Fail()
	}
}
