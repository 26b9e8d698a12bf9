package dnssim

import (
	"fmt"

	"github.com/miekg/dns"

	"github.com/reconnbench/reconnbench/netsim"
)

// Server is a miekg/dns server answering for a Zone over DNS-over-TCP on a
// netsim Listener, registered as the server for the zone's origin.
type Server struct {
	zone       *Zone
	dns        *dns.Server
	served     chan error
	unregister func()
}

// Serve starts a DNS server for z on n at addr and registers it for z's
// origin (see InstallDefaultResolver). Call it inside the bubble that owns
// n; Close stops it.
func Serve(n *netsim.Network, addr netsim.Addr, z *Zone) (*Server, error) {
	unregister, err := register(z.Origin(), route{network: n, addr: addr})
	if err != nil {
		return nil, err
	}
	lis, err := n.Listen(addr)
	if err != nil {
		unregister()
		return nil, err
	}
	started := make(chan struct{})
	s := &Server{
		zone:       z,
		served:     make(chan error, 1),
		unregister: unregister,
		dns: &dns.Server{
			Listener:          lis,
			Handler:           z,
			NotifyStartedFunc: func() { close(started) },
		},
	}
	go func() { s.served <- s.dns.ActivateAndServe() }()
	select {
	case <-started:
		return s, nil
	case err := <-s.served:
		unregister()
		lis.Close()
		return nil, fmt.Errorf("dnssim: serve %s at %s: %v", z.Origin(), addr, err)
	}
}

// Zone returns the zone the server answers for.
func (s *Server) Zone() *Zone { return s.zone }

// Close unregisters the server, stops it and waits for its goroutines.
func (s *Server) Close() error {
	s.unregister()
	err := s.dns.Shutdown()
	if serr := <-s.served; err == nil {
		err = serr
	}
	return err
}
