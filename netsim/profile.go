package netsim

import (
	"fmt"
	"strings"
	"time"
)

// Profile shapes every connection of a network: each byte reaches the peer
// one Latency after the link has finished transmitting it at Bandwidth. A
// dial takes one round trip. The zero Profile is an ideal link.
type Profile struct {
	Name      string
	Latency   time.Duration // one way
	Bandwidth int64         // bytes per second in each direction; 0 is unlimited
}

func (p Profile) String() string {
	if p.Latency == 0 && p.Bandwidth == 0 {
		return p.Name + " (no latency, unlimited bandwidth)"
	}
	bw := "unlimited bandwidth"
	if p.Bandwidth > 0 {
		bw = fmt.Sprintf("%g Mbit/s", float64(p.Bandwidth)*8/1e6)
	}
	return fmt.Sprintf("%s (%v one way, %s)", p.Name, p.Latency, bw)
}

// The preset profiles, in the spirit of grpc-go's benchmark/latency.
var (
	Local = Profile{Name: "local"}
	LAN   = Profile{Name: "lan", Latency: 1 * time.Millisecond, Bandwidth: 100e6 / 8}
	WAN   = Profile{Name: "wan", Latency: 30 * time.Millisecond, Bandwidth: 20e6 / 8}
)

var profiles = []Profile{Local, LAN, WAN}

// Profiles returns the preset profiles.
func Profiles() []Profile { return append([]Profile(nil), profiles...) }

// LookupProfile returns the preset profile called name.
func LookupProfile(name string) (Profile, error) {
	names := make([]string, len(profiles))
	for i, p := range profiles {
		if p.Name == name {
			return p, nil
		}
		names[i] = p.Name
	}
	return Profile{}, fmt.Errorf("unknown link profile %q (valid: %s)", name, strings.Join(names, ", "))
}
