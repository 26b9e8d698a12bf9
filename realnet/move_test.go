package realnet_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/realnet"
)

// TestMove moves a server to another loopback address: the announcement
// comes first, while the old process still serves; then the old address
// refuses dials, and after the downtime a fresh process serves at the new
// address, at the same port.
func TestMove(t *testing.T) {
	var (
		mu        sync.Mutex
		announced string
		oldAlive  bool // the first process still served at the announcement
		ups       []string
	)
	var s *realnet.Server
	var first int
	s, err := realnet.StartServer(realnet.Config{
		Command: selfCommand,
		MoveTo:  "127.0.0.2",
		OnMove: func(addr string) {
			mu.Lock()
			defer mu.Unlock()
			announced, oldAlive = addr, alive(first)
		},
		OnUp: func(_ int, addr string) {
			mu.Lock()
			ups = append(ups, addr)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first = pid(t, s)
	old := s.Target()
	_, port, _ := net.SplitHostPort(old)
	moved := net.JoinHostPort("127.0.0.2", port)

	var d realnet.Dialer
	ctx := context.Background()
	if err := s.Inject(ctx, netsim.Move{}, downtime); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if announced != moved || !oldAlive {
		t.Errorf("announced %q (the first process alive: %v), want %s while it still served", announced, oldAlive, moved)
	}
	if want := []string{old, moved}; strings.Join(ups, " ") != strings.Join(want, " ") {
		t.Errorf("processes served at %v, want %v", ups, want)
	}
	mu.Unlock()
	if s.Target() != old {
		t.Errorf("Target is %s after the move, want the first address %s", s.Target(), old)
	}
	if c, err := d.Dial(ctx, old); err == nil {
		c.Close()
		t.Errorf("a dial to the old address %s succeeded after the move", old)
	}
	c, err := d.Dial(ctx, moved)
	if err != nil {
		t.Fatalf("dial to the new address: %v", err)
	}
	defer c.Close()
	if err := echo(c, "moved"); err != nil {
		t.Fatal(err)
	}
	if second := pid(t, s); second == first {
		t.Errorf("the same process (%d) serves after the move", first)
	}
}

// TestMoveNowhere: a server without MoveTo refuses the Move fault and
// keeps serving; a MoveTo that is not a loopback IP is refused at start.
func TestMoveNowhere(t *testing.T) {
	s, _ := startServer(t, false)
	if err := s.Inject(context.Background(), netsim.Move{}, downtime); err == nil || !strings.Contains(err.Error(), "nowhere to move") {
		t.Errorf("Move without MoveTo: %v, want an error saying it has nowhere to move", err)
	}
	pid(t, s) // still serving
	_, err := realnet.StartServer(realnet.Config{Command: selfCommand, MoveTo: "10.0.0.1"})
	if err == nil || !strings.Contains(err.Error(), `MoveTo "10.0.0.1": want a loopback IP`) {
		t.Errorf("MoveTo 10.0.0.1: %v, want an error naming it", err)
	}
}

// TestDNSServer asks a loopback DNS server over UDP and TCP, as gRPC-Go's
// dns resolver does with a target's authority.
func TestDNSServer(t *testing.T) {
	h := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Answer = append(m.Answer, &dns.A{
			Hdr: dns.RR_Header{Name: req.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 5},
			A:   net.ParseIP("127.0.0.2"),
		})
		w.WriteMsg(m)
	})
	s, err := realnet.ServeDNS(h)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, network := range []string{"udp", "tcp"} {
		r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, s.Addr())
		}}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		addrs, err := r.LookupHost(ctx, "api.example.test")
		cancel()
		if err != nil || len(addrs) != 1 || addrs[0] != "127.0.0.2" {
			t.Errorf("%s lookup: %v, %v; want [127.0.0.2]", network, addrs, err)
		}
	}
}
