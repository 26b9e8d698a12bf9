package bench

import (
	"fmt"
	"strings"
)

// Net is the network, and the kind of server, a cycle runs on.
type Net string

// The networks.
const (
	// NetSim is netsim's in-memory network with server instances in the
	// harness's own process: what every measurement runs on, on either
	// clock.
	NetSim Net = "netsim"
	// TCP is real loopback TCP with the server a separate OS process,
	// killed and restarted for real (package realnet): the cross-check of
	// the simulation. It runs on the real clock only.
	TCP Net = "tcp"
)

var nets = []Net{NetSim, TCP}

// ParseNet returns the network called name.
func ParseNet(name string) (Net, error) {
	names := make([]string, len(nets))
	for i, n := range nets {
		if string(n) == name {
			return n, nil
		}
		names[i] = string(n)
	}
	return "", fmt.Errorf("unknown network %q (valid: %s)", name, strings.Join(names, ", "))
}
