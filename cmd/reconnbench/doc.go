// Command reconnbench runs the reconnbench suite: the reconnect matrix
// against gRPC-Go releases, and everything that reads its results. The
// Makefile's targets call it; run it from the module root, as
// `go run ./cmd/reconnbench <command> [flags]`. This comment is its usage
// (`reconnbench help`, `make help`) and the one place its flags and the
// Makefile variables that set them are described; a test holds it to the
// flags the commands define.
//
// Usage:
//
//	reconnbench <command> [flags]
//
// Commands:
//
//	bench       run the reconnect matrix against releases, then plots  make bench
//	plots       figures and REPORT.md from a results folder         make plots
//	compare     benchstat over results, or a run beside a baseline  make compare
//	bisect      first release where a cell's or a benchmark's metric changes   make bisect
//	boundaries  every change of a cell's metric between consecutive releases  make boundaries
//	validate    the same cells on netsim and on real TCP processes  make validate
//	throughput  transport and replay throughput, and their ratios   make bench-throughput
//	soak        thousands of random restart cycles, checked         make soak
//	compat      which releases build and run with which toolchains  make compat
//	list        gRPC-Go releases on the module proxy, and which are tracked   make versions
//	add V...    add module files for releases ("latest": the newest patch of every minor)
//	refresh     rewrite the module files of releases (default: all tracked)
//	resolve     print the releases a VERSIONS value selects
//	help        print this
//
// A list is comma- or space-separated. The cells bench runs are those of
// the scenario set whose keys take a listed value (an empty list keeps
// every value); with SCENARIOS=all, every combination of the lists (an
// empty list takes every value: 1s, 30s and 5m0s of downtime, 2s and
// 45m0s of quiet, dial and newclient, passthrough and dns, 1 and 3
// backends, pick_first and round_robin, less the combinations no cell can
// have). DRYRUN=1 prints the cells a selection holds. docs/cycle.md says
// what each key means.
//
// Every command checks every value before it runs anything: a bad one is
// one line on standard error naming it and what is valid, and exit status
// 1. Interrupted (Ctrl-C, SIGTERM), a command stops what runs and keeps
// what is complete. Each flag below is followed by the Makefile variable
// that sets it, in capitals.
//
// bench flags:
//
//	-versions spec   VERSIONS    releases: default (versions/default.txt), all (every tracked release), or a list (default "default")
//	-strategies s    STRATEGIES  strategies, comma- or space-separated (default all)
//	-faults f        FAULTS      faults (default all)
//	-traffic t       TRAFFIC     traffic modes (default all)
//	-downtime d      DOWNTIME    downtimes, Go durations such as 1s, 30s, 5m0s (default those of the scenario set)
//	-quiet d         QUIET       quiet times before the fault, such as 2s, 45m0s (default those of the scenario set)
//	-client c        CLIENT      clients: dial, newclient (default those of the scenario set)
//	-resolver r      RESOLVER    resolvers: passthrough, dns (default those of the scenario set)
//	-backends n      BACKENDS    numbers of backends, 1 to 200 (default those of the scenario set)
//	-policy p        POLICY      load-balancing policies: pick_first, round_robin (default those of the scenario set)
//	-scenarios set   SCENARIOS   default (the base situation in every combination, and each other value of a key against every strategy), all (every combination of the lists), or validate (default "default")
//	-count n         COUNT       result lines per cell, at least 1 (default 6)
//	-clock c         CLOCK       virtual or real (default "virtual")
//	-link l          LINK        link profile: local, lan or wan (default "local")
//	-go toolchain    GO          a Go toolchain such as go1.23.12 (default: the go command's own)
//	-results dir     RESULTS     results folder (default "results")
//	-shard i/n       SHARD       run the i-th of n slices of the matrix
//	-resume          RESUME      1: keep complete releases and finished cells of an earlier run, run only what is missing
//	-n               DRYRUN      1: print the cells and releases the run would measure, and run nothing
//	-rounds n        ROUNDS      rounds of BenchmarkReplay after each release's cells: each replay mode runs once a round, in a process of its own (default 6)
//	-no-throughput               skip BenchmarkReplay after each release's cells
//	-plots                       draw the figures and REPORT.md when every release is done (default true)
//	-j n                         cell processes at a time (default: the CPUs on the virtual clock, 8 per CPU on the real one)
//	-v                           print a line per cell
//
// plots flags:
//
//	-results dir     RESULTS     results folder to read, and to write figures/ and REPORT.md into (default "results")
//	-traffic t       TRAFFIC     traffic mode of the recovery, dials and timeline figures (default idle, or the first the results have)
//	-release v       RELEASE     release of the distribution and timeline figures, or a label such as "v1.85.0 (real)" (default the newest)
//	-svg                         write each figure as SVG too (default true)
//	-readme file                 also rewrite the findings block of file from the results (make baseline-docs: README.md from results/baseline)
//	-versions spec               releases of the figures and tables by release: all, default (versions/default.txt), or a list (default "all"; make baseline-docs: default); the findings use every release
//
// compare flags:
//
//	-results dir     RESULTS     results folder (default "results")
//	-a v, -b v       A, B        compare only these two releases
//	-base dir        BASE        a baseline folder, such as results/baseline: each release of -results beside its baseline
//
// bisect follows a cell (-strategy, -fault, -traffic) or a throughput
// benchmark (-bench), and writes the bisection into RESULTS/bisect/. With
// -boundaries it confirms every behaviour boundary of RESULTS (see
// boundaries) instead: between the two releases of each, patches
// included, every release is measured, and each changed cell's first
// release that differs is written as a bisection.
//
// bisect flags:
//
//	-strategy s      STRATEGY    strategy
//	-fault f         FAULT       fault
//	-traffic t       TRAFFIC     traffic mode
//	-downtime d      DOWNTIME    downtime of the cell (default 1s)
//	-quiet d         QUIET       quiet time of the cell (default 2s)
//	-client c        CLIENT      client of the cell (default "dial")
//	-resolver r      RESOLVER    resolver of the cell: passthrough, dns (default "passthrough")
//	-backends n      BACKENDS    backends of the cell (default 1)
//	-policy p        POLICY      load-balancing policy of the cell: pick_first, round_robin (default "pick_first")
//	-bench name      BENCH       a throughput benchmark instead: Replay/mode=stream|unary, Transport/net=netsim|bufconn|tcp/load=raw|stream|log
//	-metric m        METRIC      metric to follow: a cell's unit (default "missed/op"), or a unit the benchmark reports (default "msgs/s")
//	-good v          GOOD        a release where the metric has its old value (required)
//	-bad v           BAD         a later release where it has changed (required)
//	-count n         COUNT       runs per release, for a cell (default 6)
//	-rounds n        ROUNDS      rounds per release, for a benchmark: each round runs it once beside GOOD, in fresh processes (default 12)
//	-benchtime t                 go test -benchtime of each run of a benchmark (default "300ms")
//	-clock c         CLOCK       virtual or real, for a cell (default "virtual")
//	-go toolchain    GO          a Go toolchain such as go1.23.12
//	-results dir     RESULTS     results folder (default "results")
//	-v                           print a line per run
//	-boundaries      BOUNDARIES  1: confirm every behaviour boundary of RESULTS instead, each down to its exact release (no cell, BENCH, GOOD or BAD then)
//
// boundaries flags:
//
//	-results dir     RESULTS     results folder (default "results")
//	-all                         list the changes among overlapping values too, which backoff jitter makes by chance
//
// validate flags:
//
//	-versions spec   VALIDATE_VERSIONS  auto (the oldest, the newest and both sides of every change in -baseline of missed or undetected cycles in a cell validate runs), or as for bench (default "auto")
//	-baseline dir    BASELINE    results folder whose behaviour changes auto picks releases around (default "results/baseline")
//	-results dir     RESULTS/validate  folder for the results of both networks and VALIDATION.md (default "results/validate")
//	-count n         VALIDATE_COUNT  virtual cycles per cell (default 60)
//	-long-count n                virtual cycles per cell with a downtime over 1s (default 600)
//	-tcp-count n     TCP_COUNT   real TCP cycles per cell (default 1)
//	-strategies s    STRATEGIES  strategies (default all)
//	-faults f        FAULTS      faults (default all)
//	-traffic t       TRAFFIC     traffic modes (default all)
//	-deadline d                  how long recovery may take once the server is back, on both networks (default 30s)
//	-j n                         real TCP cells at a time (default 8 per CPU)
//	-no-run                      run nothing: judge the results already there and rewrite the report
//	-v                           print a line per cell
//
// throughput flags:
//
//	-count n         ROUNDS      rounds; each benchmark runs once a round, in a process of its own (default 10)
//	-benchtime t                 go test -benchtime of each run (default "500ms")
//	-results dir     RESULTS     results folder; writes throughput.txt (default "results")
//
// soak flags:
//
//	-cycles n        SOAK_CYCLES  restart cycles (default 10000)
//	-time d          SOAK_TIME    stop starting cycles after this much wall time (default 5m0s)
//	-seed n          SOAK_SEED    seed of the random cycles; 0 for a fresh one, printed (default 0)
//	-strategies s    STRATEGIES   strategies (default all)
//
// compat flags:
//
//	-versions spec   VERSIONS    releases, as for bench (default "default")
//	-go list         TOOLCHAINS  toolchains, space-separated (default: the newest patch of every Go minor from go1.21)
package main
