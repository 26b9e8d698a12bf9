package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/strategies"
)

// The values of the situation keys the matrix explores besides the base
// situation (a 1 s outage, 2 s of quiet, grpc.Dial): outages of a process
// restart, a rolling deploy and an outage proper; quiet long enough to
// cross a client's idle timeout (gRPC-Go's default is 30 minutes from
// v1.59); and grpc.NewClient.
var (
	SetDowntimes = []time.Duration{DefaultDowntime, 30 * time.Second, 5 * time.Minute}
	SetQuiets    = []time.Duration{DefaultQuiet, 45 * time.Minute}
	SetClients   = []Client{Dial, NewClient}
	// The services: one backend behind either resolver, and three behind
	// dns, with either policy.
	SetResolvers = []Resolver{Passthrough, DNS}
	SetBackends  = []int{DefaultBackends, 3}
	SetPolicies  = []Policy{PickFirst, RoundRobin}
)

// Services of the default set besides the single backend behind
// passthrough.
var (
	singleDNS  = service{DNS, 1, PickFirst}
	singleRR   = service{DNS, 1, RoundRobin}
	pickFirst3 = service{DNS, 3, PickFirst}
	roundRobin = service{DNS, 3, RoundRobin}
	single     = service{DefaultResolver, DefaultBackends, DefaultPolicy}
)

// Scenario sets, the cells the matrix runs by name (SCENARIOS).
const (
	// SetDefault is the base situation in every combination of strategy,
	// fault and traffic mode, and each other value of a situation key
	// against every strategy in the faults and traffic modes where it
	// tells something (DefaultSet).
	SetDefault = "default"
	// SetAll is every combination of every value of every key.
	SetAll = "all"
	// SetValidate is what make validate runs on both networks
	// (ValidateSet).
	SetValidate = "validate"
)

// SetNames are the scenario sets.
var SetNames = []string{SetDefault, SetAll, SetValidate}

// DefaultSet returns the default scenario set: the base situation in
// every combination of strategy, fault of one server (BaseFaults) and
// traffic mode, and every other value of each situation key against
// every strategy:
//
//   - outages of 30 s and 5 min, after a crash or a blackhole, for an idle
//     client and one whose RPCs are rare, and of 30 s for a busy one: how
//     backoff, grown over a long outage, delays the reconnect (a busy
//     client fails 3,000 RPCs in 5 minutes, which costs four times a
//     cell's usual CPU and tells nothing 30 s does not);
//   - 45 minutes of quiet before a crash or a rotation, for an idle client,
//     one holding a stream and one whose RPCs are rare: past the idle
//     timeout a channel closes its own connection (busy traffic is left
//     out: it makes 27,000 RPCs in 45 minutes and changes nothing a held
//     stream does not);
//   - grpc.NewClient against every fault, for an idle client and one whose
//     RPCs are rare: it differs from Dial in how its channel starts;
//   - a server that moves to a new address, behind gRPC-Go's dns resolver
//     with either policy, for an idle client and a busy one (whose failed
//     RPCs are counted), and behind passthrough, which never learns the
//     new address, for an idle client (a busy one fails every RPC until
//     the deadline, at the cost of three cells, and tells nothing more);
//   - pick_first over three backends behind dns whose first crashes (for
//     1 s) or vanishes (blackhole, for 30 s: a vanished host that came
//     back before keepalive noticed, 13 s on, would leave nothing to
//     fail over from), for an idle client and a busy one: the failover;
//   - round_robin over three backends behind dns restarted one after
//     another (rolling), for an idle client and a busy one: the replay
//     does not measure it; the failed RPCs and the time until every
//     backend is READY again do. Every strategy runs: its dial options
//     (keepalive) and its calls still act on the channel, even where its
//     replay means little (the dialer hook fires for each backend's
//     dial; the watcher sees a channel that stays READY).
//
// It lists cells in the order of their names' keys.
func DefaultSet() []resultset.Cell {
	var cells []resultset.Cell
	add := func(faults []string, traffic []Traffic, downtimes, quiets []time.Duration, clients []Client, services ...service) {
		if len(services) == 0 {
			services = []service{single}
		}
		cells = append(cells, cross(strategies.Names(), faults, traffic, downtimes, quiets, clients, services)...)
	}
	base := []time.Duration{DefaultDowntime}
	quiet := []time.Duration{DefaultQuiet}
	dial := []Client{DefaultClient}
	idleBusy := []Traffic{Idle, Busy}
	add(BaseFaults(), TrafficModes(), base, quiet, dial)
	add([]string{"blackhole", "crash"}, []Traffic{Idle, Rare}, SetDowntimes[1:], quiet, dial)
	add([]string{"blackhole", "crash"}, []Traffic{Busy}, SetDowntimes[1:2], quiet, dial)
	add([]string{"crash", "rotate"}, []Traffic{Idle, Stream, Rare}, base, SetQuiets[1:], dial)
	add(BaseFaults(), []Traffic{Idle, Rare}, base, quiet, SetClients[1:])
	add([]string{moveFault}, idleBusy, base, quiet, dial, singleDNS, singleRR)
	add([]string{moveFault}, []Traffic{Idle}, base, quiet, dial, single)
	add([]string{"crash"}, idleBusy, base, quiet, dial, pickFirst3)
	add([]string{"blackhole"}, idleBusy, SetDowntimes[1:2], quiet, dial, pickFirst3)
	add([]string{rollingFault}, idleBusy, base, quiet, dial, roundRobin)
	return sortCells(cells)
}

// ValidateSet is what make validate runs on netsim and on real TCP with
// server processes: the base situation in every combination of strategy,
// fault of one server and traffic mode; a 30 s outage after a crash for
// every strategy and the traffic modes of the default set's long
// outages; and the default set's moved server, behind dns with either
// policy and behind passthrough (on TCP, a process at another loopback
// address and a DNS server on loopback). It leaves out what the real
// clock cannot afford (45 minutes of quiet, 5 minutes of outage),
// grpc.NewClient, whose difference from Dial is in the client alone, and
// services of several backends, which real TCP does not have.
func ValidateSet() []resultset.Cell {
	one := []service{single}
	base, quiet, dial := []time.Duration{DefaultDowntime}, []time.Duration{DefaultQuiet}, []Client{DefaultClient}
	cells := cross(strategies.Names(), BaseFaults(), TrafficModes(), base, quiet, dial, one)
	cells = append(cells, cross(strategies.Names(), []string{"crash"}, []Traffic{Idle, Busy, Rare}, SetDowntimes[1:2], quiet, dial, one)...)
	cells = append(cells, cross(strategies.Names(), []string{moveFault}, []Traffic{Idle, Busy}, base, quiet, dial, []service{singleDNS, singleRR})...)
	cells = append(cells, cross(strategies.Names(), []string{moveFault}, []Traffic{Idle}, base, quiet, dial, one)...)
	return sortCells(cells)
}

// AllSet is every combination of every value of every key that a cell
// can have (checkService: no several backends behind passthrough, no
// rolling restart of one).
func AllSet() []resultset.Cell {
	return sortCells(cross(strategies.Names(), netsim.FaultNames(), TrafficModes(), SetDowntimes, SetQuiets, SetClients, setServices()))
}

// setServices is every service of the Set lists.
func setServices() []service {
	var svs []service
	for _, r := range SetResolvers {
		for _, b := range SetBackends {
			for _, p := range SetPolicies {
				svs = append(svs, service{r, b, p})
			}
		}
	}
	return svs
}

// ScenarioSet returns the scenario set called name.
func ScenarioSet(name string) ([]resultset.Cell, error) {
	switch name {
	case SetDefault, "":
		return DefaultSet(), nil
	case SetAll:
		return AllSet(), nil
	case SetValidate:
		return ValidateSet(), nil
	}
	return nil, fmt.Errorf("unknown scenario set %q (valid: %s)", name, strings.Join(SetNames, ", "))
}

// A CellFilter keeps the cells whose keys take one of its values; an empty
// list keeps every value of its key.
type CellFilter struct {
	Strategies, Faults, Traffic []string
	Downtimes, Quiets           []time.Duration
	Clients                     []Client
	Resolvers                   []Resolver
	Backends                    []int
	Policies                    []Policy
}

// Keep reports whether c passes f.
func (f CellFilter) Keep(c resultset.Cell) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	return in(f.Strategies, c.Strategy) && in(f.Faults, c.Fault) && in(f.Traffic, c.Traffic) &&
		(len(f.Downtimes) == 0 || slices.Contains(f.Downtimes, c.Downtime)) &&
		(len(f.Quiets) == 0 || slices.Contains(f.Quiets, c.Quiet)) &&
		(len(f.Clients) == 0 || slices.Contains(f.Clients, Client(c.Client))) &&
		(len(f.Resolvers) == 0 || slices.Contains(f.Resolvers, Resolver(c.Resolver))) &&
		(len(f.Backends) == 0 || slices.Contains(f.Backends, c.Backends)) &&
		(len(f.Policies) == 0 || slices.Contains(f.Policies, Policy(c.Policy)))
}

// Filter returns the cells that pass f.
func (f CellFilter) Filter(cells []resultset.Cell) []resultset.Cell {
	var out []resultset.Cell
	for _, c := range cells {
		if f.Keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// cross returns every combination of its lists' values that a cell can
// have (checkService).
func cross(names, faults []string, traffic []Traffic, downtimes, quiets []time.Duration, clients []Client, services []service) []resultset.Cell {
	var cells []resultset.Cell
	for _, s := range names {
		for _, f := range faults {
			for _, t := range traffic {
				for _, d := range downtimes {
					for _, q := range quiets {
						for _, c := range clients {
							for _, sv := range services {
								if checkService(f, sv.resolver, sv.backends, sv.policy, NetSim) != nil {
									continue
								}
								cells = append(cells, resultset.Cell{Strategy: s, Fault: f, Traffic: string(t), Downtime: d, Quiet: q, Client: string(c),
									Resolver: string(sv.resolver), Backends: sv.backends, Policy: string(sv.policy)})
							}
						}
					}
				}
			}
		}
	}
	return cells
}

// sortCells orders cells by strategy, then by the rest of their keys, and
// drops duplicates.
func sortCells(cells []resultset.Cell) []resultset.Cell {
	slices.SortStableFunc(cells, func(a, b resultset.Cell) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(cells)
}
