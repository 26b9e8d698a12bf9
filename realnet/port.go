package realnet

import (
	"errors"
	"fmt"
	"math/rand"
	"net"
	"os"
	"strconv"
	"strings"
)

// The server's port is free while the server is down, and a port the
// kernel may hand out on its own, as the local port of some connection or
// to a listener on port 0, could be taken in that gap: a dial would then
// reach the wrong process, or itself. Server ports are therefore chosen
// below the ephemeral range, where only explicit binds go.
const (
	portLow  = 10000
	portHigh = 32768 // Linux's default ephemeral range starts here; macOS's and Windows' higher
)

// PortRange returns the ports a Server picks from: [lo, hi), below the
// system's ephemeral range where it can be read.
func PortRange() (lo, hi int) {
	hi = portHigh
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if eph, err := strconv.Atoi(f[0]); err == nil && eph < hi {
				hi = eph
			}
		}
	}
	return portLow, hi
}

// pickPort returns a loopback address at a free port of PortRange. Another
// harness picking the same port while this server is down is possible;
// harnesses that run side by side should give each server a port of its
// own (Config.Port).
func pickPort() (string, error) {
	lo, hi := PortRange()
	if hi-lo < 100 {
		return "", fmt.Errorf("realnet: the ephemeral port range starts at %d, leaving no room below it for server ports (want %d and up free)", hi, lo)
	}
	// Old-style loop and math/rand: package bench, which imports this one,
	// builds against release module files whose go line is 1.21, and with
	// toolchains from go1.21 (make compat).
	for i := 0; i < 100; i++ {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(lo+rand.Intn(hi-lo)))
		if portFree(addr) {
			return addr, nil
		}
	}
	return "", errors.New("realnet: no free loopback port found in 100 tries")
}

// portFree reports whether addr can be listened on now.
func portFree(addr string) bool {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	lis.Close()
	return true
}
