package bench

import (
	"fmt"
	"strings"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/resultset"
)

// Resolver is how the client's target names the service: a key of the
// cell.
type Resolver string

// The resolvers.
const (
	// Passthrough hands gRPC the first backend's address itself: the
	// client never learns another (what every cell measured before
	// resolver was a key).
	Passthrough Resolver = "passthrough"
	// DNS is gRPC-Go's own dns resolver on a dns:/// target, which looks
	// the service's name up through net.DefaultResolver; netsim/dnssim
	// routes those lookups to a miekg/dns server on a simulated network
	// of the cycle's own, so that they, and gRPC's minimum interval
	// between them, run on the cycle's clock.
	DNS Resolver = "dns"
)

// Policy is the client's load-balancing policy over the service's
// backends, set by the channel's default service config: a key of the
// cell.
type Policy string

// The policies.
const (
	// PickFirst connects to the first address it can, in the resolver's
	// order, and sends everything there: gRPC's default.
	PickFirst Policy = "pick_first"
	// RoundRobin connects to every address and spreads RPCs over those
	// that are READY.
	RoundRobin Policy = "round_robin"
)

// Defaults of a Scenario's service: one backend behind passthrough, with
// pick_first, which cells named before these were keys measured.
const (
	DefaultResolver = Resolver(resultset.AbsentResolver)
	DefaultBackends = resultset.AbsentBackends
	DefaultPolicy   = Policy(resultset.AbsentPolicy)
)

var (
	resolvers = []Resolver{Passthrough, DNS}
	policies  = []Policy{PickFirst, RoundRobin}
)

// Resolvers returns every resolver, and Policies every policy.
func Resolvers() []Resolver { return append([]Resolver(nil), resolvers...) }
func Policies() []Policy    { return append([]Policy(nil), policies...) }

// ParseResolver returns the resolver called name.
func ParseResolver(name string) (Resolver, error) {
	for _, r := range resolvers {
		if string(r) == name {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown resolver %q (valid: %s)", name, joinNames(resolvers))
}

// ParsePolicy returns the policy called name.
func ParsePolicy(name string) (Policy, error) {
	for _, p := range policies {
		if string(p) == name {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown policy %q (valid: %s)", name, joinNames(policies))
}

func joinNames[T ~string](vs []T) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = string(v)
	}
	return strings.Join(names, ", ")
}

// serviceConfig is the channel's default service config for policy p.
// grpc.WithDefaultServiceConfig is in every release since v1.30.
func serviceConfig(p Policy) string {
	return fmt.Sprintf(`{"loadBalancingConfig":[{%q:{}}]}`, string(p))
}

// The faults that need more than one server's restart at its own
// address: move (a new address, which only a resolver can tell) and
// rolling (every backend in turn).
var (
	moveFault    = netsim.Move{}.Name()
	rollingFault = netsim.Rolling{}.Name()
)

// BaseFaults returns the faults of one server restarting at its own
// address, the ones every service can face: every registered fault but
// move and rolling.
func BaseFaults() []string {
	var fs []string
	for _, f := range netsim.FaultNames() {
		if f != moveFault && f != rollingFault {
			fs = append(fs, f)
		}
	}
	return fs
}

// checkService reports a service that a cell cannot have: an unknown
// resolver or policy, no backend, several behind passthrough (a
// passthrough target names one address), a rolling restart of fewer
// than two backends (it would be a graceful restart by another name),
// or a service beyond one backend behind passthrough, or a fault beyond
// those, on real TCP.
func checkService(fault string, r Resolver, backends int, p Policy, net Net) error {
	if _, err := ParseResolver(string(r)); err != nil {
		return err
	}
	if _, err := ParsePolicy(string(p)); err != nil {
		return err
	}
	switch {
	case backends < 1:
		return fmt.Errorf("backends %d: must be at least 1", backends)
	case backends > 1 && r == Passthrough:
		return fmt.Errorf("backends %d: a passthrough target names one address; several backends need resolver %s", backends, DNS)
	case backends > MaxBackends:
		return fmt.Errorf("backends %d: at most %d", backends, MaxBackends)
	case fault == rollingFault && backends < 2:
		return fmt.Errorf("fault %s restarts backends one after another: it needs backends of at least 2 (with one, it is %s)", fault, netsim.Graceful{}.Name())
	case net == TCP && backends > 1:
		return fmt.Errorf("backends %d: net tcp has one backend; several run on netsim only", backends)
	}
	return nil
}

// replayFits reports whether the replay measures a cell: the client's
// state lives on the one backend it talks to, which pick_first gives it,
// unless every backend restarts in turn (rolling). With round_robin, or a
// rolling restart, the client spreads over its backends and a replay
// reaches one of them: such cells are measured by the share of failed
// RPCs and the time until every backend is READY again, and are never
// missed.
func replayFits(fault string, p Policy) bool {
	return p == PickFirst && fault != rollingFault
}

// MaxBackends bounds a service's size: its addresses are 127.0.10.1 to
// 127.0.10.MaxBackends.
const MaxBackends = 200
