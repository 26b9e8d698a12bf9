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
// every combination of strategy, fault and traffic mode, and every other
// value of each situation key against every strategy:
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
//     RPCs are rare: it differs from Dial in how its channel starts.
//
// It lists cells in the order of their names' keys.
func DefaultSet() []resultset.Cell {
	var cells []resultset.Cell
	add := func(faults []string, traffic []Traffic, downtimes, quiets []time.Duration, clients []Client) {
		cells = append(cells, cross(strategies.Names(), faults, traffic, downtimes, quiets, clients)...)
	}
	base := []time.Duration{DefaultDowntime}
	quiet := []time.Duration{DefaultQuiet}
	dial := []Client{DefaultClient}
	add(netsim.FaultNames(), TrafficModes(), base, quiet, dial)
	add([]string{"blackhole", "crash"}, []Traffic{Idle, Rare}, SetDowntimes[1:], quiet, dial)
	add([]string{"blackhole", "crash"}, []Traffic{Busy}, SetDowntimes[1:2], quiet, dial)
	add([]string{"crash", "rotate"}, []Traffic{Idle, Stream, Rare}, base, SetQuiets[1:], dial)
	add(netsim.FaultNames(), []Traffic{Idle, Rare}, base, quiet, SetClients[1:])
	return sortCells(cells)
}

// ValidateSet is what make validate runs on netsim and on real TCP with
// server processes: the base situation in every combination of strategy,
// fault and traffic mode, and a 30 s outage after a crash for every
// strategy and the traffic modes of the default set's long outages. It
// leaves out what the real clock cannot afford (45 minutes of quiet, 5
// minutes of outage), and grpc.NewClient, whose difference from Dial is in
// the client alone.
func ValidateSet() []resultset.Cell {
	cells := cross(strategies.Names(), netsim.FaultNames(), TrafficModes(), []time.Duration{DefaultDowntime}, []time.Duration{DefaultQuiet}, []Client{DefaultClient})
	cells = append(cells, cross(strategies.Names(), []string{"crash"}, []Traffic{Idle, Busy, Rare}, SetDowntimes[1:2], []time.Duration{DefaultQuiet}, []Client{DefaultClient})...)
	return sortCells(cells)
}

// AllSet is every combination of every value of every key.
func AllSet() []resultset.Cell {
	return sortCells(cross(strategies.Names(), netsim.FaultNames(), TrafficModes(), SetDowntimes, SetQuiets, SetClients))
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
}

// Keep reports whether c passes f.
func (f CellFilter) Keep(c resultset.Cell) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	return in(f.Strategies, c.Strategy) && in(f.Faults, c.Fault) && in(f.Traffic, c.Traffic) &&
		(len(f.Downtimes) == 0 || slices.Contains(f.Downtimes, c.Downtime)) &&
		(len(f.Quiets) == 0 || slices.Contains(f.Quiets, c.Quiet)) &&
		(len(f.Clients) == 0 || slices.Contains(f.Clients, Client(c.Client)))
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

func cross(names, faults []string, traffic []Traffic, downtimes, quiets []time.Duration, clients []Client) []resultset.Cell {
	var cells []resultset.Cell
	for _, s := range names {
		for _, f := range faults {
			for _, t := range traffic {
				for _, d := range downtimes {
					for _, q := range quiets {
						for _, c := range clients {
							cells = append(cells, resultset.Cell{Strategy: s, Fault: f, Traffic: string(t), Downtime: d, Quiet: q, Client: string(c)})
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
