// Package realnet is netsim's cross-check: the same restart cycle on the
// real thing. The server is a separate OS process listening on loopback TCP;
// faults kill it with SIGKILL, stop it with SIGTERM, or silence it behind a
// forwarding proxy, and a fresh process takes the same port after the
// downtime. The rotate fault restarts nothing: the process's own gRPC
// connection-age limit (Config.Age) ends its client's connection, and the
// process splits its listener as netsim's instances do
// (netsim.Splitter, through Child.ListenAged) and reports the GOAWAY's
// instant, the fault's. The move fault announces a new address
// (Config.MoveTo, another loopback IP at the same port), kills the
// process and starts the fresh one there.
//
// A Dialer dials real TCP and keeps the same records as a netsim.Network:
// every dial attempt with its outcome and every client connection with when
// it was given up, so the harness measures both worlds the same way.
//
// A Server supervises the server processes. Each is started from a command
// the caller supplies (typically the test binary itself, so that it links
// the same gRPC-Go release) and speaks a line protocol on its standard input
// and output, whose child side is Child. A process whose supervisor
// disappears sees its standard input end and exits, so no server outlives
// the harness.
//
// A Proxy forwards connections to the server and, on a blackhole, keeps both
// sockets open while dropping every byte, as toxiproxy's timeout toxic does:
// loopback has no way to lose packets, so the proxy loses them.
//
// A DNSServer answers DNS queries on loopback, over UDP and TCP, with a
// github.com/miekg/dns handler: a client whose target names it as its
// authority learns the moved server's address from it, through gRPC-Go's
// own dns resolver.
package realnet
