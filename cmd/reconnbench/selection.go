package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/reconnbench/reconnbench/bench"
	"github.com/reconnbench/reconnbench/resultset"
)

// A selection is the flags that choose a run's cells: a scenario set and
// a list of values per key.
type selection struct {
	set, strategies, faults, traffic, downtimes, quiets, clients, resolvers, backends, policies *string
}

// registerSelection defines the selection's flags on fs.
func registerSelection(fs *flag.FlagSet) selection {
	return selection{
		set:        fs.String("scenarios", bench.SetDefault, "scenario set: default, all (every combination of the lists), or validate"),
		strategies: fs.String("strategies", "", "strategies (default all)"),
		faults:     fs.String("faults", "", "faults (default all)"),
		traffic:    fs.String("traffic", "", "traffic modes (default all)"),
		downtimes:  fs.String("downtime", "", "downtimes, Go durations (default those of the scenario set)"),
		quiets:     fs.String("quiet", "", "quiet times before the fault, Go durations (default those of the scenario set)"),
		clients:    fs.String("client", "", "clients: dial, newclient (default those of the scenario set)"),
		resolvers:  fs.String("resolver", "", "resolvers: passthrough, dns (default those of the scenario set)"),
		backends:   fs.String("backends", "", "numbers of backends (default those of the scenario set)"),
		policies:   fs.String("policy", "", "load-balancing policies: pick_first, round_robin (default those of the scenario set)"),
	}
}

// filter parses the key lists, naming a bad value and what is valid.
func (s selection) filter() (bench.CellFilter, error) {
	f := bench.CellFilter{Strategies: bench.ParseList(*s.strategies), Faults: bench.ParseList(*s.faults), Traffic: bench.ParseList(*s.traffic)}
	var err error
	if f.Downtimes, err = bench.ParseDurations("DOWNTIME", *s.downtimes); err != nil {
		return f, err
	}
	if f.Quiets, err = bench.ParseDurations("QUIET", *s.quiets); err != nil {
		return f, err
	}
	for _, w := range bench.ParseList(*s.clients) {
		c, err := bench.ParseClient(w)
		if err != nil {
			return f, err
		}
		f.Clients = append(f.Clients, c)
	}
	for _, w := range bench.ParseList(*s.resolvers) {
		r, err := bench.ParseResolver(w)
		if err != nil {
			return f, err
		}
		f.Resolvers = append(f.Resolvers, r)
	}
	for _, w := range bench.ParseList(*s.backends) {
		n, err := strconv.Atoi(w)
		if err != nil {
			return f, fmt.Errorf("BACKENDS %q: not a whole number (valid: 1 to %d)", w, bench.MaxBackends)
		}
		f.Backends = append(f.Backends, n)
	}
	for _, w := range bench.ParseList(*s.policies) {
		p, err := bench.ParsePolicy(w)
		if err != nil {
			return f, err
		}
		f.Policies = append(f.Policies, p)
	}
	return f, nil
}

// cells turns the scenario set and the key lists into cells: the set's
// cells whose keys take a listed value (an empty list keeps every value),
// or, for the set "all", every combination of the lists (an empty list
// takes every value). Every name and number is checked, and a selection
// that leaves no cell says which set and lists emptied it.
func (s selection) cells() ([]resultset.Cell, error) {
	set := *s.set
	all, err := bench.ScenarioSet(set)
	if err != nil {
		return nil, fmt.Errorf("SCENARIOS: %w", err)
	}
	f, err := s.filter()
	if err != nil {
		return nil, err
	}
	// Every named value must exist, whether or not the set has it.
	m := bench.DefaultMatrix()
	if len(f.Strategies) > 0 {
		m.Strategies = f.Strategies
	}
	if len(f.Faults) > 0 {
		m.Faults = f.Faults
	}
	if len(f.Traffic) > 0 {
		m.Traffic = nil
		for _, t := range f.Traffic {
			m.Traffic = append(m.Traffic, bench.Traffic(t))
		}
	}
	if set == bench.SetAll {
		// Every combination of the lists, or of every value of a key
		// given none.
		m.Downtimes, m.Quiets, m.Clients = bench.SetDowntimes, bench.SetQuiets, bench.SetClients
		m.Resolvers, m.Backends, m.Policies = bench.SetResolvers, bench.SetBackends, bench.SetPolicies
	} else {
		// The set's cells, which Validate checks as they are, keep it
		// from judging the lists' combinations.
		m.Cells = all
	}
	m.Downtimes = or(f.Downtimes, m.Downtimes)
	m.Quiets = or(f.Quiets, m.Quiets)
	m.Clients = or(f.Clients, m.Clients)
	m.Resolvers = or(f.Resolvers, m.Resolvers)
	m.Backends = or(f.Backends, m.Backends)
	m.Policies = or(f.Policies, m.Policies)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if set == bench.SetAll {
		var cells []resultset.Cell
		for _, sc := range m.Scenarios() {
			cells = append(cells, sc.Cell())
		}
		return cells, nil
	}
	cells := f.Filter(all)
	if len(cells) == 0 {
		return nil, fmt.Errorf("no cell of the %s scenario set has every value asked for (STRATEGIES, FAULTS, TRAFFIC, DOWNTIME, QUIET, CLIENT, RESOLVER, BACKENDS, POLICY): ask for values it has, or use SCENARIOS=all for every combination of them", set)
	}
	return cells, nil
}

// or returns list, or def when list is empty.
func or[T any](list, def []T) []T {
	if len(list) > 0 {
		return list
	}
	return def
}
