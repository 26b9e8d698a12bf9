package netsim

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Fault is a way for a Server to go down and come back. Faults are
// registered by name; each lives in a file of its own.
type Fault interface {
	// Name is the fault's registered name, as used on command lines and in
	// benchmark names.
	Name() string
	// Inject takes s down, keeps it down for downtime and brings up a fresh
	// instance, returning once it serves. If ctx ends first, Inject returns
	// ctx's error with the server down.
	Inject(ctx context.Context, s *Server, downtime time.Duration) error
}

var faults []Fault

// register adds f to the registry, kept sorted by name; it is called from
// init functions.
func register(f Fault) {
	i := sort.Search(len(faults), func(i int) bool { return faults[i].Name() >= f.Name() })
	faults = append(faults, nil)
	copy(faults[i+1:], faults[i:])
	faults[i] = f
}

// Faults returns every registered fault, sorted by name.
func Faults() []Fault { return append([]Fault(nil), faults...) }

// FaultNames returns the registered faults' names, sorted.
func FaultNames() []string {
	names := make([]string, len(faults))
	for i, f := range faults {
		names[i] = f.Name()
	}
	return names
}

// LookupFault returns the fault called name.
func LookupFault(name string) (Fault, error) {
	for _, f := range faults {
		if f.Name() == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("unknown fault %q (valid: %s)", name, strings.Join(FaultNames(), ", "))
}
