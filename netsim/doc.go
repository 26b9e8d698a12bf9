// Package netsim is an in-memory network for gRPC, and a server on it that
// restarts on command.
//
// A Network hands out Listeners and Conns that behave like TCP sockets
// (deadlines, close from either side, resets) but are built only from
// channels, sync.Cond and timers. A goroutine waiting on a netsim connection
// is therefore durably blocked in the sense of testing/synctest, and a
// complete gRPC client and server can run inside a synctest bubble, where
// keepalive, backoff and link latency run on the bubble's fake clock.
//
// Each direction of a connection holds up to 1 MiB in flight, reserved when
// the connection is made, as a socket's buffer is (and bufconn's): a writer
// that far ahead of its reader blocks, which HTTP/2 flow control and
// bandwidth limits push against.
//
// A Profile shapes every connection with one-way latency and bandwidth. The
// network records every dial attempt and when each client connection was
// given up, so reconnect behaviour is measured from outside the client.
//
// A Server owns successive gRPC server instances at one address. A Fault
// (graceful, crash, blackhole, flap) takes it down and brings back a fresh
// instance after a downtime; rotate instead ends the client's connection
// through gRPC's own connection-age limit, and the instance serves on;
// move brings the fresh instance back at another address, announced
// first through a hook (Server.SetMove). A service of several hosts is
// several Servers, each at its own address; rolling (a GroupFault)
// restarts them one after another.
//
// Package netsim/dnssim adds a DNS server on a Network, and a hook that
// sends the process's DNS lookups to it, so that gRPC-Go's own dns
// resolver runs inside the bubble too.
package netsim
