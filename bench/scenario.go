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
// traffic, and the parameters of the restart cycle. Zero fields take the
// defaults below.
type Scenario struct {
	// Strategy names a registered strategy, unless Plugin is set: then
	// Plugin runs, under the name Plugin.Name, without being registered.
	Strategy string
	Plugin   *strategies.Info
	Fault    string
	Traffic  Traffic

	Net           Net            // default netsim
	Link          netsim.Profile // default local; netsim only
	Downtime      time.Duration  // how long the server stays down; default 1s
	Deadline      time.Duration  // how long recovery may take once the server is back; default 60s
	Settle        time.Duration  // quiet time before the fault, and after recovery to catch late duplicates; default 2s
	Setup         time.Duration  // how long the first connect and replay may take; default 30s
	ReplayTimeout time.Duration  // deadline of each replay RPC; default 10s
	Entries       int            // log entries; default 1000
	EntrySize     int            // bytes per entry; default 256
}

// Defaults of a Scenario.
const (
	DefaultDowntime      = 1 * time.Second
	DefaultDeadline      = 60 * time.Second
	DefaultSettle        = 2 * time.Second
	DefaultSetup         = 30 * time.Second
	DefaultReplayTimeout = 10 * time.Second
)

// ReplayModes are the ways BenchmarkReplay replays the log, its mode=
// sub-benchmarks: on one client stream, or as one unary call per entry.
var ReplayModes = []string{"stream", "unary"}

// Cell is the scenario's cell of the matrix: the keys of its name.
func (s Scenario) Cell() resultset.Cell {
	strategy := s.Strategy
	if s.Plugin != nil {
		strategy = s.Plugin.Name
	}
	return resultset.Cell{Strategy: strategy, Fault: s.Fault, Traffic: string(s.Traffic)}
}

// ScenarioOf returns the scenario of a cell, with the defaults for the
// rest: the inverse of Scenario.Cell.
func ScenarioOf(c resultset.Cell) Scenario {
	return Scenario{Strategy: c.Strategy, Fault: c.Fault, Traffic: Traffic(c.Traffic)}
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
	_, err = ParseTraffic(string(s.Traffic))
	return r, err
}

// resolveParams applies defaults and checks the cycle's parameters, the
// fields other than the strategy, fault and traffic.
func (s Scenario) resolveParams() (Scenario, error) {
	s = s.withDefaults()
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"downtime", s.Downtime}, {"deadline", s.Deadline}, {"settle", s.Settle}, {"setup", s.Setup}, {"replay timeout", s.ReplayTimeout}} {
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
