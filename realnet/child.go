package realnet

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
)

// The line protocol between a Server and its processes. The supervisor
// writes commands to the process's standard input, one per line; the
// process writes messages to its standard output, one per line.
const (
	// AddrEnv is the environment variable holding the address a server
	// process must listen at. Its presence is what makes a process a
	// server child (see ChildFromEnv).
	AddrEnv = "REALNET_SERVER_ADDR"
	// AgeEnv holds the connection-age limit of a server process
	// (Config.Age): its Max and Grace, as time.Duration prints them,
	// separated by a space.
	AgeEnv = "REALNET_SERVER_AGE"

	cmdListen  = "listen"  // supervisor: bind the address and serve now
	cmdRotate  = "rotate"  // supervisor: say when the rotation happens
	msgReady   = "ready"   // process: bound and serving
	msgEvent   = "event"   // process: "event <text>", unsolicited
	msgReply   = "reply"   // process: "reply <text>", the answer to a request
	msgRotated = "rotated" // process: "rotated <unix ns> goaway|nothing", the answer to rotate
	msgFailure = "fail"    // process: "fail <error>", and it exits
)

// Age is a connection-age limit: gRPC's
// keepalive.ServerParameters.MaxConnectionAge (Max) and
// MaxConnectionAgeGrace (Grace). A server process given one applies it to
// the connections it takes until it first sends a GOAWAY, and serves
// every later connection without it (Child.ListenAged), as netsim's
// instances do for the Rotate fault.
type Age struct {
	Max, Grace time.Duration
}

func (a Age) String() string { return a.Max.String() + " " + a.Grace.String() }

// parseAge reads an Age as String writes it.
func parseAge(s string) (Age, error) {
	var a Age
	f := strings.Fields(s)
	if len(f) != 2 {
		return a, fmt.Errorf("realnet: %s=%q: want the age and the grace period, such as \"2s 1s\"", AgeEnv, s)
	}
	var err error
	if a.Max, err = time.ParseDuration(f[0]); err == nil {
		a.Grace, err = time.ParseDuration(f[1])
	}
	if err != nil || a.Max <= 0 || a.Grace < 0 {
		return a, fmt.Errorf("realnet: %s=%q: want a positive age and a grace period, such as \"2s 1s\"", AgeEnv, s)
	}
	return a, nil
}

// Child is a server process's side of the protocol. A process started by a
// Server prepares its server, calls Listen, which returns once the
// supervisor says to serve, and then answers Requests until Terminated
// fires (SIGTERM: stop gracefully and exit) or it is killed.
//
// When its standard input ends, its supervisor is gone: the process exits
// at once, whatever it is doing.
type Child struct {
	addr   string
	age    Age
	ageErr error // a malformed AgeEnv, reported by Listen
	in     io.Reader
	out    io.Writer
	exit   func(int)
	listen chan struct{}
	reqs   chan string
	term   chan os.Signal
	outMu  sync.Mutex

	splitMu sync.Mutex
	split   *netsim.Splitter // set by ListenAged
}

// ChildFromEnv returns the protocol's child side if this process was
// started by a Server, reading standard input and writing standard output.
func ChildFromEnv() (*Child, bool) {
	addr, ok := os.LookupEnv(AddrEnv)
	if !ok {
		return nil, false
	}
	c := newChild(addr, os.Getenv(AgeEnv), os.Stdin, os.Stdout, os.Exit)
	signal.Notify(c.term, syscall.SIGTERM)
	return c, true
}

func newChild(addr, age string, in io.Reader, out io.Writer, exit func(int)) *Child {
	c := &Child{
		addr: addr, in: in, out: out, exit: exit,
		listen: make(chan struct{}),
		reqs:   make(chan string, 16),
		term:   make(chan os.Signal, 1),
	}
	if age != "" {
		c.age, c.ageErr = parseAge(age)
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
		case line == cmdRotate:
			go c.reportRotation()
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
	lis, err := c.bind()
	if err != nil {
		return nil, err
	}
	c.send(msgReady, "")
	return lis, nil
}

func (c *Child) bind() (net.Listener, error) {
	<-c.listen
	if c.ageErr != nil {
		c.send(msgFailure, c.ageErr.Error())
		return nil, c.ageErr
	}
	lis, err := net.Listen("tcp", c.addr)
	if err != nil {
		c.send(msgFailure, err.Error())
		return nil, err
	}
	return lis, nil
}

// Age returns the connection-age limit the supervisor gave this process
// (Config.Age), if it gave one.
func (c *Child) Age() (Age, bool) { return c.age, c.age.Max > 0 }

// ListenAged is Listen for a process with a connection-age limit (Age):
// it splits the listener as netsim's instances do for the Rotate fault
// (netsim.Splitter). The process must serve aged with a gRPC server whose
// keepalive.ServerParameters carry the limit, and fresh with one without
// it: aged gets every connection until its server's first GOAWAY, fresh
// every one after. The process reports the GOAWAY's instant to the
// supervisor when it injects netsim.Rotate (Server.Inject).
func (c *Child) ListenAged() (aged, fresh net.Listener, err error) {
	lis, err := c.bind()
	if err != nil {
		return nil, nil, err
	}
	sp := netsim.NewSplitter(lis)
	go sp.Dispatch()
	c.splitMu.Lock()
	c.split = sp
	c.splitMu.Unlock()
	c.send(msgReady, "")
	return sp.Aged(), sp.Fresh(), nil
}

// reportRotation waits for the rotation and tells the supervisor when it
// happened, and whether a GOAWAY made it.
func (c *Child) reportRotation() {
	c.splitMu.Lock()
	sp := c.split
	c.splitMu.Unlock()
	if sp == nil {
		c.send(msgRotated, "none")
		return
	}
	at, _ := sp.WaitRotation(context.Background(), c.age.Max)
	how := "goaway"
	if sp.RotatedNothing() {
		how = "nothing"
	}
	c.send(msgRotated, fmt.Sprintf("%d %s", at.UnixNano(), how))
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
