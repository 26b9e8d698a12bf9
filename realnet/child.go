package realnet

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
)

// The line protocol between a Server and its processes. The supervisor
// writes commands to the process's standard input, one per line; the
// process writes messages to its standard output, one per line.
const (
	// AddrEnv is the environment variable holding the address a server
	// process must listen at. Its presence is what makes a process a
	// server child (see ChildFromEnv).
	AddrEnv = "REALNET_SERVER_ADDR"

	cmdListen  = "listen" // supervisor: bind the address and serve now
	msgReady   = "ready"  // process: bound and serving
	msgEvent   = "event"  // process: "event <text>", unsolicited
	msgReply   = "reply"  // process: "reply <text>", the answer to a request
	msgFailure = "fail"   // process: "fail <error>", and it exits
)

// Child is a server process's side of the protocol. A process started by a
// Server prepares its server, calls Listen, which returns once the
// supervisor says to serve, and then answers Requests until Terminated
// fires (SIGTERM: stop gracefully and exit) or it is killed.
//
// When its standard input ends, its supervisor is gone: the process exits
// at once, whatever it is doing.
type Child struct {
	addr   string
	in     io.Reader
	out    io.Writer
	exit   func(int)
	listen chan struct{}
	reqs   chan string
	term   chan os.Signal
	outMu  sync.Mutex
}

// ChildFromEnv returns the protocol's child side if this process was
// started by a Server, reading standard input and writing standard output.
func ChildFromEnv() (*Child, bool) {
	addr, ok := os.LookupEnv(AddrEnv)
	if !ok {
		return nil, false
	}
	c := newChild(addr, os.Stdin, os.Stdout, os.Exit)
	signal.Notify(c.term, syscall.SIGTERM)
	return c, true
}

func newChild(addr string, in io.Reader, out io.Writer, exit func(int)) *Child {
	c := &Child{
		addr: addr, in: in, out: out, exit: exit,
		listen: make(chan struct{}),
		reqs:   make(chan string, 16),
		term:   make(chan os.Signal, 1),
	}
	go c.read()
	return c
}

// read hands out the supervisor's commands until standard input ends.
func (c *Child) read() {
	s := bufio.NewScanner(c.in)
	listening := false
	for s.Scan() {
		switch line := s.Text(); {
		case line == cmdListen && !listening:
			listening = true
			close(c.listen)
		default:
			c.reqs <- line
		}
	}
	c.exit(0) // orphaned: nobody will ever stop this process otherwise
}

// Listen waits for the supervisor's word, listens at the address and tells
// the supervisor it serves. The caller must start serving on the listener
// at once. A process can do all its slow start-up work before calling
// Listen, so that the restart the supervisor times is only the bind.
func (c *Child) Listen() (net.Listener, error) {
	<-c.listen
	lis, err := net.Listen("tcp", c.addr)
	if err != nil {
		c.send(msgFailure, err.Error())
		return nil, err
	}
	c.send(msgReady, "")
	return lis, nil
}

// Event tells the supervisor that something happened, now.
func (c *Child) Event(text string) { c.send(msgEvent, text) }

// Requests delivers the supervisor's requests; answer each with Reply, in
// order.
func (c *Child) Requests() <-chan string { return c.reqs }

// Reply answers the oldest unanswered request.
func (c *Child) Reply(text string) { c.send(msgReply, text) }

// Terminated fires when the process is asked to stop gracefully (SIGTERM).
func (c *Child) Terminated() <-chan os.Signal { return c.term }

func (c *Child) send(kind, text string) {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	line := kind
	if text != "" {
		line += " " + strings.ReplaceAll(text, "\n", " ")
	}
	fmt.Fprintln(c.out, line)
}
