// Package dnssim is a DNS server on a netsim network, and a hook that sends
// the process's DNS lookups to it, so that gRPC-Go's own dns resolver runs
// inside a testing/synctest bubble.
//
// The server is a github.com/miekg/dns Server serving a Zone on a netsim
// Listener. InstallDefaultResolver turns net.DefaultResolver into the Go
// resolver with a Dial that never touches the real network: the query it
// carries names the zone, and the zone's registered server, on its netsim
// network, answers it. gRPC-Go's dns resolver, for a target dns:///name
// (no authority), looks names up through net.DefaultResolver, so its
// lookups, its minimum interval between resolutions and the DNS
// exchanges' deadlines all run on the bubble's fake clock.
//
// Every goroutine involved blocks on netsim connections or the bubble's
// timers, durably: the fake clock advances across a lookup as across any
// other wait.
package dnssim

import (
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Zone is the data a DNS server is authoritative for: A records with a TTL,
// under one origin. It records every query it answers. Its methods are safe
// for concurrent use.
type Zone struct {
	origin string

	mu      sync.Mutex
	records map[string]record // by lower-case fully qualified name
	queries []Query
}

type record struct {
	ips []net.IP
	ttl uint32
}

// Query is one question a Zone answered.
type Query struct {
	At    time.Time
	Name  string // fully qualified, as asked
	Type  string // A, AAAA, TXT, SRV...
	Rcode string // NOERROR, NXDOMAIN, REFUSED
	// Answer lists the addresses of the A records answered.
	Answer []string
}

// NewZone returns an empty zone for origin, such as "c17.reconnbench.test."
// (made fully qualified if it is not).
func NewZone(origin string) *Zone {
	return &Zone{origin: strings.ToLower(dns.Fqdn(origin)), records: make(map[string]record)}
}

// Origin returns the zone's fully qualified origin.
func (z *Zone) Origin() string { return z.origin }

// SetA makes name's A records ips (IPv4 addresses), with time to live ttl,
// replacing what name had. name is relative to the origin unless it ends
// in a dot. No ips removes the name.
func (z *Zone) SetA(name string, ttl time.Duration, ips ...string) {
	fq := z.fqdn(name)
	z.mu.Lock()
	defer z.mu.Unlock()
	if len(ips) == 0 {
		delete(z.records, fq)
		return
	}
	r := record{ttl: uint32(ttl / time.Second)}
	for _, s := range ips {
		ip := net.ParseIP(s).To4()
		if ip == nil {
			panic("dnssim: SetA: not an IPv4 address: " + s)
		}
		r.ips = append(r.ips, ip)
	}
	z.records[fq] = r
}

// FQDN returns name, relative to the origin unless it ends in a dot, fully
// qualified.
func (z *Zone) FQDN(name string) string { return z.fqdn(name) }

func (z *Zone) fqdn(name string) string {
	name = strings.ToLower(name)
	if strings.HasSuffix(name, ".") {
		return name
	}
	if name == "" || name == "@" {
		return z.origin
	}
	return name + "." + z.origin
}

// Queries returns a copy of every query answered so far, in order.
func (z *Zone) Queries() []Query {
	z.mu.Lock()
	defer z.mu.Unlock()
	return append([]Query(nil), z.queries...)
}

// ServeDNS implements dns.Handler: A records for the names set, an empty
// answer (NODATA) for their other types, NXDOMAIN for other names in the
// zone and REFUSED outside it.
func (z *Zone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	now := time.Now()
	z.mu.Lock()
	for _, q := range req.Question {
		name := strings.ToLower(q.Name)
		logged := Query{At: now, Name: q.Name, Type: dns.TypeToString[q.Qtype]}
		r, ok := z.records[name]
		switch {
		case !dns.IsSubDomain(z.origin, name):
			m.Rcode = dns.RcodeRefused
		case !ok:
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA && q.Qclass == dns.ClassINET:
			for _, ip := range r.ips {
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: r.ttl},
					A:   ip,
				})
				logged.Answer = append(logged.Answer, ip.String())
			}
		}
		logged.Rcode = dns.RcodeToString[m.Rcode]
		z.queries = append(z.queries, logged)
	}
	z.mu.Unlock()
	w.WriteMsg(m)
}
