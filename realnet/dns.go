package realnet

import (
	"fmt"
	"net"
	"sync"

	"github.com/miekg/dns"
)

// DNSServer is a real DNS server on loopback, answering over UDP and TCP
// at one port with a handler (a dnssim.Zone, say). A client reaches it
// by naming it as its target's authority, dns://127.0.0.1:port/name,
// which gRPC-Go's dns resolver dials directly, bypassing the system's
// resolver.
type DNSServer struct {
	addr    string
	servers []*dns.Server
	served  chan error // what each server's ActivateAndServe returned
	wg      sync.WaitGroup
}

// ServeDNS starts a DNS server for h at a free loopback port below the
// ephemeral range (PortRange) and returns once it serves.
func ServeDNS(h dns.Handler) (*DNSServer, error) {
	pc, lis, err := bindDNS()
	if err != nil {
		return nil, err
	}
	s := &DNSServer{addr: pc.LocalAddr().String(), served: make(chan error, 2)}
	started := make(chan struct{}, 2)
	s.servers = []*dns.Server{
		{PacketConn: pc, Handler: h, NotifyStartedFunc: func() { started <- struct{}{} }},
		{Listener: lis, Handler: h, NotifyStartedFunc: func() { started <- struct{}{} }},
	}
	for _, srv := range s.servers {
		srv := srv
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.served <- srv.ActivateAndServe()
		}()
	}
	for range s.servers {
		select {
		case <-started:
		case err := <-s.served:
			s.Close()
			return nil, fmt.Errorf("realnet: DNS server at %s: %v", s.addr, err)
		}
	}
	return s, nil
}

// bindDNS binds UDP and TCP at one free loopback port.
func bindDNS() (net.PacketConn, net.Listener, error) {
	for i := 0; i < 100; i++ {
		addr, err := pickPort()
		if err != nil {
			return nil, nil, err
		}
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			continue
		}
		lis, err := net.Listen("tcp", addr)
		if err != nil {
			pc.Close()
			continue
		}
		return pc, lis, nil
	}
	return nil, nil, fmt.Errorf("realnet: no loopback port free for both UDP and TCP in 100 tries")
}

// Addr returns the server's address, host and port.
func (s *DNSServer) Addr() string { return s.addr }

// Close stops the server and waits for it.
func (s *DNSServer) Close() {
	for _, srv := range s.servers {
		srv.Shutdown() // an error says it was not serving
	}
	s.wg.Wait()
}
