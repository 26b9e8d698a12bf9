// Package bench measures reconnect strategies: it runs restart cycles and
// the matrix of them, and writes what they measure as results.
//
// The parts, a file or two each:
//
//   - the restart cycle (cycle.go, Run): connect and replay the client's
//     log, settle, inject a fault, and wait, bounded, for the strategy to
//     replay to the server that came back; a Cycle says what happened,
//     and a strategy that never recovers is a miss, never a hang;
//   - its testbeds (testbed.go, testbed_tcp.go): netsim's network with
//     server instances in this process, or real loopback TCP with server
//     processes (package realnet), behind one interface;
//   - the clocks (clock*.go): a cycle runs inside a testing/synctest
//     bubble on the virtual clock, or on the real one; a stall watchdog
//     catches a strategy that spins without blocking (stall.go);
//   - the scenario and its traffic (scenario.go, traffic.go): one cell of
//     the matrix, named through package resultset: strategy, fault,
//     traffic, downtime, quiet time, client, resolver, backends and
//     policy;
//   - the service (service.go, in the netsim testbed): several hosts, each
//     a restartable server at its own address; gRPC-Go's dns resolver
//     served by netsim/dnssim, which TestMain installs outside every
//     bubble; pick_first or round_robin; what a replay measures when the
//     client's state may be on any of several backends, and what
//     replaces it (failed RPCs, every backend READY again) where it
//     measures nothing;
//   - the client (client.go, newclient.go, newclient_none.go): grpc.Dial,
//     or grpc.NewClient, which only releases from v1.63 have; builds for
//     older ones set the tag reconnbench_nonewclient (versions.BuildTags)
//     and record such cells as not applicable;
//   - the matrix (matrix.go, record.go): every cell Count times, each run
//     a benchmark result; the runner in cmd/reconnbench calls it through
//     TestMatrix, because synctest needs a *testing.T;
//   - the soak (soak.go): thousands of random cycles, checked rather than
//     measured;
//   - the throughput benchmarks (throughput_test.go): testing.B on the
//     real clock.
//
// The package builds against every tracked gRPC-Go release, from v1.30.0
// on, with the module files in versions/: it uses no gRPC API newer than
// v1.30 outside package strategies' compat.go and newclient.go (behind
// its build tag), and keeps to the Go 1.21 language.
package bench
