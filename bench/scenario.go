package bench

import (
	"fmt"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/replay"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/strategies"
)

// Scenario is one cell of the matrix: a strategy facing a fault under some
// traffic, with a downtime, a quiet time and a client (the keys of its
// name), and the other parameters of the restart cycle. Zero fields take
// the defaults below.
type Scenario struct {
	// Strategy names a registered strategy, unless Plugin is set: then
	// Plugin runs, under the name Plugin.Name, without being registered.
	Strategy string
	Plugin   *strategies.Info
	Fault    string
	Traffic  Traffic
	// Downtime is how long the server stays down; for rotate, which
	// keeps the server up, the grace period after its GOAWAY. Default 1s.
	Downtime time.Duration
	// Quiet is how long the client is left alone between its first replay
	// and the fault; for rotate, the server's connection-age limit, which
	// gRPC jitters by ±10%. Default 2s; NoQuiet asks for none.
	Quiet  time.Duration
	Client Client // default dial
	// Resolver, Backends and Policy are the service the client reaches:
	// how its target names it, how many hosts serve it (each at an
	// address of its own, with a store of its own) and the load-balancing
	// policy over them. Defaults: passthrough, 1, pick_first. Faults
	// other than rolling strike the first backend.
	Resolver Resolver
	Backends int
	Policy   Policy

	Net           Net            // default netsim
	Link          netsim.Profile // default local; netsim only
	Deadline      time.Duration  // how long recovery may take once the server is back; default 60s, LongDeadline after a LongDowntime
	Settle        time.Duration  // the wait after a recovery, or after a fault that needs none, for late replays; default 2s
	Setup         time.Duration  // how long the first connect and replay may take; default 30s
	ReplayTimeout time.Duration  // deadline of each replay RPC; default 10s
	Entries       int            // log entries; default 1000
	EntrySize     int            // bytes per entry; default 256
}

// Defaults of a Scenario. The downtime, quiet time and client are those
// that results from before they were keys of the cell measured, the values
// such names read as (resultset.NewCell).
const (
	DefaultDowntime = resultset.AbsentDowntime
	DefaultQuiet    = resultset.AbsentQuiet
	DefaultClient   = Client(resultset.AbsentClient)
	DefaultDeadline = 60 * time.Second
	// LongDeadline is the default deadline after a downtime of more than
	// LongDowntime. gRPC-Go's reconnect backoff grows by 1.6 a failed
	// attempt up to 120 s, ±20% jitter (backoff.DefaultConfig): after an
	// outage of minutes a channel that is still trying may make its next
	// attempt up to 144 s after the server is back. A deadline shorter
	// than that would count a slow reconnect as a miss.
	LongDeadline         = 150 * time.Second
	LongDowntime         = time.Minute
	DefaultSettle        = 2 * time.Second
	DefaultSetup         = 30 * time.Second
	DefaultReplayTimeout = 10 * time.Second
)

// NoQuiet as a Scenario's Quiet asks for no quiet time at all, since zero
// means the default. The cell says quiet=0s.
const NoQuiet time.Duration = -1

// MinRotateQuiet is the least quiet time a rotate cell can have: it is the
// server's connection-age limit, and gRPC ignores a zero one.
const MinRotateQuiet = time.Millisecond

// ReplayModes are the ways BenchmarkReplay replays the log, its mode=
// sub-benchmarks: on one client stream, or as one unary call per entry.
var ReplayModes = []string{"stream", "unary"}

// Cell is the scenario's cell of the matrix: the keys of its name, the
// defaults applied.
func (s Scenario) Cell() resultset.Cell {
	s = s.withDefaults()
	strategy := s.Strategy
	if s.Plugin != nil {
		strategy = s.Plugin.Name
	}
	return resultset.Cell{Strategy: strategy, Fault: s.Fault, Traffic: string(s.Traffic),
		Downtime: s.Downtime, Quiet: s.quiet(), Client: string(s.Client),
		Resolver: string(s.Resolver), Backends: s.Backends, Policy: string(s.Policy)}
}

// ScenarioOf returns the scenario of a cell, with the defaults for the
// rest: the inverse of Scenario.Cell.
func ScenarioOf(c resultset.Cell) Scenario {
	quiet := c.Quiet
	if quiet == 0 {
		quiet = NoQuiet
	}
	return Scenario{Strategy: c.Strategy, Fault: c.Fault, Traffic: Traffic(c.Traffic),
		Downtime: c.Downtime, Quiet: quiet, Client: Client(c.Client),
		Resolver: Resolver(c.Resolver), Backends: c.Backends, Policy: Policy(c.Policy)}
}

// quiet is the quiet time of a scenario with defaults applied.
func (s Scenario) quiet() time.Duration {
	if s.Quiet == NoQuiet {
		return 0
	}
	return s.Quiet
}

// Name is the scenario's benchmark name, without the "Benchmark" prefix.
func (s Scenario) Name() string { return s.Cell().String() }

func (s Scenario) withDefaults() Scenario {
	if s.Net == "" {
		s.Net = NetSim
	}
	if s.Link.Name == "" {
		s.Link = netsim.Local
	}
	setDefault(&s.Downtime, DefaultDowntime)
	setDefault(&s.Quiet, DefaultQuiet)
	if s.Client == "" {
		s.Client = DefaultClient
	}
	if s.Resolver == "" {
		s.Resolver = DefaultResolver
	}
	if s.Backends == 0 {
		s.Backends = DefaultBackends
	}
	if s.Policy == "" {
		s.Policy = DefaultPolicy
	}
	if s.Downtime > LongDowntime {
		setDefault(&s.Deadline, LongDeadline)
	}
	setDefault(&s.Deadline, DefaultDeadline)
	setDefault(&s.Settle, DefaultSettle)
	setDefault(&s.Setup, DefaultSetup)
	setDefault(&s.ReplayTimeout, DefaultReplayTimeout)
	if s.Entries == 0 {
		s.Entries = replay.DefaultEntries
	}
	if s.EntrySize == 0 {
		s.EntrySize = replay.DefaultEntrySize
	}
	return s
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// resolved is a validated scenario with its parts looked up.
type resolved struct {
	Scenario
	strategy strategies.Info
	fault    netsim.Fault
}

// resolve applies defaults and checks every field, naming the bad value.
func (s Scenario) resolve() (resolved, error) {
	s, err := s.resolveParams()
	r := resolved{Scenario: s}
	if err != nil {
		return r, err
	}
	if s.Plugin != nil {
		r.strategy = *s.Plugin
		r.Strategy = s.Plugin.Name
	} else if r.strategy, err = strategies.Lookup(s.Strategy); err != nil {
		return r, err
	}
	if r.fault, err = netsim.LookupFault(s.Fault); err != nil {
		return r, err
	}
	if _, err = ParseTraffic(string(s.Traffic)); err != nil {
		return r, err
	}
	if err := checkService(s.Fault, s.Resolver, s.Backends, s.Policy, s.Net); err != nil {
		return r, err
	}
	return r, checkQuiet(s.Fault, s.quiet())
}

// checkQuiet reports a quiet time that fault cannot have.
func checkQuiet(fault string, quiet time.Duration) error {
	if fault == (netsim.Rotate{}).Name() && quiet < MinRotateQuiet {
		return fmt.Errorf("quiet %v: the rotate fault needs a quiet time of at least %v (it is the server's connection-age limit)", quiet, MinRotateQuiet)
	}
	return nil
}

// resolveParams applies defaults and checks the cycle's parameters, the
// fields other than the strategy, fault and traffic.
func (s Scenario) resolveParams() (Scenario, error) {
	s = s.withDefaults()
	if err := checkDowntime(s.Downtime); err != nil {
		return s, err
	}
	if s.Quiet < 0 && s.Quiet != NoQuiet {
		return s, checkQuietTime(s.Quiet)
	}
	if _, err := ParseClient(string(s.Client)); err != nil {
		return s, err
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"deadline", s.Deadline}, {"settle", s.Settle}, {"setup", s.Setup}, {"replay timeout", s.ReplayTimeout}} {
		if d.v < 0 {
			return s, fmt.Errorf("%s %v: must not be negative", d.name, d.v)
		}
	}
	if _, err := ParseNet(string(s.Net)); err != nil {
		return s, err
	}
	if s.Net == TCP && s.Link.Name != netsim.Local.Name {
		return s, fmt.Errorf("link %s: net tcp is real loopback and cannot be shaped; use link local", s.Link.Name)
	}
	if s.Entries < 1 {
		return s, fmt.Errorf("log entries %d: must be at least 1", s.Entries)
	}
	if s.EntrySize < 8 {
		return s, fmt.Errorf("log entry size %d: must be at least 8 bytes", s.EntrySize)
	}
	return s, nil
}

// checkDowntime reports a downtime no cycle can have.
func checkDowntime(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("downtime %v: must be more than 0", d)
	}
	return nil
}

// checkQuietTime reports a quiet time no cycle can have.
func checkQuietTime(q time.Duration) error {
	if q < 0 {
		return fmt.Errorf("quiet %v: must not be negative", q)
	}
	return nil
}
