package realnet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// startTimeout bounds how long a process may take from the supervisor's
// "listen" to "ready".
const startTimeout = 10 * time.Second

// Config describes the processes a Server supervises.
type Config struct {
	// Command returns the command of a fresh server process. The Server
	// sets its standard input and output and adds AddrEnv to its
	// environment (so the command's Env, if set, must be complete);
	// standard error is the command's own.
	Command func() *exec.Cmd
	// Port is the loopback port the server processes listen on; 0 picks
	// a free one below the ephemeral range (see PortRange). Harnesses that
	// run side by side should each give their server its own.
	Port int
	// Proxy puts a forwarding proxy between clients and the server; the
	// Blackhole fault needs it.
	Proxy bool
	// Age, if its Max is set, is the connection-age limit of every
	// process, passed to it in AgeEnv (see Child.ListenAged); the Rotate
	// fault needs it.
	Age Age
	// MoveTo is the loopback IP address (such as 127.0.0.2) the Move
	// fault takes the server to, at the same port, as a restarted pod
	// comes back with a new IP; the Move fault needs it.
	MoveTo string
	// OnMove, if set, is called with the server's new address at the
	// Move fault's instant, before the serving process dies: the
	// announcement, a DNS record that changes, say.
	OnMove func(addr string)
	// OnUp, if set, is called when an instance starts serving, with its
	// generation (0 for the first) and the address it listens at.
	OnUp func(gen int, addr string)
	// OnEvent, if set, is called with each event an instance reports, as
	// it arrives.
	OnEvent func(gen int, event string)
}

// Server supervises a server that runs as successive OS processes at one
// loopback address. Each time a fault brings it back it is a fresh process.
type Server struct {
	cfg    Config
	addr   string // where the processes listen
	target string // what clients dial: addr, or the proxy's
	proxy  *Proxy

	mu      sync.Mutex // serialises Inject, Ask and Close
	current *process   // serving, or nil while down
	standby *process   // started, waiting for "listen"
	gens    int
	started []time.Time

	hookMu   sync.Mutex
	onStrike func(time.Time)
	struck   bool // the fault being injected has struck
}

// StartServer starts the first process on a free loopback port and returns
// once it serves.
func StartServer(cfg Config) (*Server, error) {
	if cfg.Command == nil {
		return nil, errors.New("realnet: Config.Command is nil")
	}
	addr, err := serverAddr(cfg.Port)
	if err != nil {
		return nil, err
	}
	if cfg.MoveTo != "" {
		if ip := net.ParseIP(cfg.MoveTo); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("realnet: MoveTo %q: want a loopback IP address such as 127.0.0.2", cfg.MoveTo)
		}
		_, port, _ := net.SplitHostPort(addr)
		if moved := net.JoinHostPort(cfg.MoveTo, port); !portFree(moved) {
			return nil, fmt.Errorf("realnet: the server cannot move to %s: the port is taken there", moved)
		}
	}
	s := &Server{cfg: cfg, addr: addr, target: addr}
	if cfg.Proxy {
		if s.proxy, err = NewProxy(addr); err != nil {
			return nil, err
		}
		s.target = s.proxy.Addr()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.up(context.Background()); err != nil {
		s.closeLocked()
		return nil, err
	}
	return s, nil
}

// serverAddr is the loopback address at port, or at a port picked for it.
func serverAddr(port int) (string, error) {
	if port == 0 {
		return pickPort()
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if port < 0 || port > 65535 || !portFree(addr) {
		return "", fmt.Errorf("realnet: port %d: want a free port from 1 to 65535", port)
	}
	return addr, nil
}

// Target is the address clients dial: where the first process listens,
// or the proxy in front of it. The Move fault leaves it behind.
func (s *Server) Target() string { return s.target }

// Starts returns when each process started serving, the first one first.
func (s *Server) Starts() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.started...)
}

// Ask sends a request to the serving process and returns its reply.
func (s *Server) Ask(ctx context.Context, request string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil {
		return "", errors.New("realnet: no server process is serving")
	}
	return s.current.ask(ctx, request)
}

// OnStrike makes f be called at the instant each injected fault strikes,
// as netsim.Server.OnStrike does: when Inject is called, for every fault
// but Rotate, which strikes when the server process sends its GOAWAY.
// It runs once per Inject, on the goroutine that calls Inject.
func (s *Server) OnStrike(f func(at time.Time)) {
	s.hookMu.Lock()
	s.onStrike = f
	s.hookMu.Unlock()
}

// strike reports the fault's instant at, once per Inject.
func (s *Server) strike(at time.Time) {
	s.hookMu.Lock()
	f, already := s.onStrike, s.struck
	s.struck = true
	s.hookMu.Unlock()
	if f != nil && !already {
		f(at)
	}
}

// RotatedNothing reports whether the serving process was rotated by
// Rotate without a GOAWAY: its client had let every connection go before
// one came of age (netsim.Server.RotatedNothing).
func (s *Server) RotatedNothing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current != nil && s.current.rotatedNothing
}

// Close kills every process and waits for them, and closes the proxy.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

func (s *Server) closeLocked() {
	for _, p := range []*process{s.current, s.standby} {
		if p != nil {
			p.kill()
		}
	}
	s.current, s.standby = nil, nil
	if s.proxy != nil {
		s.proxy.Close()
	}
}

// The primitives below are what faults are made of, as in netsim.Server.
// Each is called with s.mu held.

// up makes the standby process (or a fresh one) listen and waits until it
// serves.
func (s *Server) up(ctx context.Context) error {
	p := s.standby
	s.standby = nil
	if p == nil {
		var err error
		if p, err = s.spawn(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := p.serve(ctx); err != nil {
		p.kill()
		return err
	}
	s.current = p
	s.started = append(s.started, time.Now())
	if s.cfg.OnUp != nil {
		s.cfg.OnUp(p.gen, p.addr)
	}
	return nil
}

// prepare starts the next process while the server is down, so that its
// start-up cost (exec, runtime and gRPC initialisation) overlaps the
// downtime and the restart the client sees is only the bind. A failure is
// left for up to report.
func (s *Server) prepare() {
	if s.standby == nil {
		s.standby, _ = s.spawn()
	}
}

// crash kills the serving process with SIGKILL and waits for it: the kernel
// closes its sockets, so connected clients see a reset or an end of stream
// and dials are refused.
func (s *Server) crash() {
	s.current.kill()
	s.current = nil
	s.prepare()
}

// terminate sends SIGTERM to the serving process, which stops gracefully.
// It returns a function that ends it for good with SIGKILL, as a supervisor
// does when a process overstays its grace period.
func (s *Server) terminate() (kill func()) {
	p := s.current
	s.current = nil
	p.signal(syscall.SIGTERM)
	s.prepare()
	return p.kill
}

// vanish silences every connection at the proxy and kills the process
// behind it, so nobody hears of its death.
func (s *Server) vanish() error {
	if s.proxy == nil {
		return errors.New("realnet: blackhole needs a proxy (Config.Proxy)")
	}
	s.proxy.Blackhole()
	s.crash()
	return nil
}

// move announces the server's new address, at Config.MoveTo, and makes it
// the address of every process started from now on.
func (s *Server) move() error {
	if s.cfg.MoveTo == "" {
		return errors.New("realnet: move: the server has nowhere to move (Config.MoveTo)")
	}
	_, port, _ := net.SplitHostPort(s.addr)
	s.addr = net.JoinHostPort(s.cfg.MoveTo, port)
	if s.cfg.OnMove != nil {
		s.cfg.OnMove(s.addr)
	}
	return nil
}

// spawn starts a server process that waits for "listen".
func (s *Server) spawn() (*process, error) {
	cmd := s.cfg.Command()
	if cmd.Env == nil {
		cmd.Env = cmd.Environ()
	}
	cmd.Env = append(cmd.Env, AddrEnv+"="+s.addr)
	if s.cfg.Age.Max > 0 {
		cmd.Env = append(cmd.Env, AgeEnv+"="+s.cfg.Age.String())
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("realnet: start server process: %w", err)
	}
	p := &process{
		cmd: cmd, stdin: stdin, gen: s.gens, addr: s.addr,
		ready:   make(chan struct{}),
		replies: make(chan string, 1),
		rotated: make(chan string, 1),
		exited:  make(chan struct{}),
	}
	s.gens++
	onEvent := s.cfg.OnEvent
	go p.read(stdout, onEvent)
	return p, nil
}

// process is one server process.
type process struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	gen   int
	addr  string // where it listens

	ready   chan struct{} // closed on "ready"
	replies chan string
	rotated chan string   // the answer to "rotate"
	exited  chan struct{} // closed once reaped
	failure string        // from a "fail" message; read after exited
	once    sync.Once

	rotatedNothing bool // guarded by Server.mu
}

// read handles the process's messages until its output ends, then reaps it.
func (p *process) read(stdout io.Reader, onEvent func(int, string)) {
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		kind, text, _ := strings.Cut(sc.Text(), " ")
		switch kind {
		case msgReady:
			p.once.Do(func() { close(p.ready) })
		case msgEvent:
			if onEvent != nil {
				onEvent(p.gen, text)
			}
		case msgReply:
			select {
			case p.replies <- text:
			default: // an answer nobody asked for
			}
		case msgRotated:
			select {
			case p.rotated <- text:
			default:
			}
		case msgFailure:
			p.failure = text
		}
	}
	io.Copy(io.Discard, stdout)
	p.cmd.Wait()
	close(p.exited)
}

// serve tells the process to listen and waits until it serves.
func (p *process) serve(ctx context.Context) error {
	if _, err := io.WriteString(p.stdin, cmdListen+"\n"); err != nil {
		return fmt.Errorf("realnet: server process %d: %w", p.cmd.Process.Pid, err)
	}
	select {
	case <-p.ready:
		return nil
	case <-p.exited:
		return fmt.Errorf("realnet: server process exited before serving (%v): %s", p.cmd.ProcessState, p.failure)
	case <-ctx.Done():
		return fmt.Errorf("realnet: server process did not serve: %w", ctx.Err())
	}
}

func (p *process) ask(ctx context.Context, request string) (string, error) {
	if strings.ContainsRune(request, '\n') || request == cmdListen || request == cmdRotate {
		return "", fmt.Errorf("realnet: bad request %q", request)
	}
	if _, err := io.WriteString(p.stdin, request+"\n"); err != nil {
		return "", err
	}
	select {
	case r := <-p.replies:
		return r, nil
	case <-p.exited:
		return "", errors.New("realnet: the server process exited before replying")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// rotation asks the process when its connection-age limit rotated a
// connection (Child.ListenAged) and waits for the answer: when, and
// whether it rotated nothing.
func (p *process) rotation(ctx context.Context) (at time.Time, nothing bool, err error) {
	if _, err := io.WriteString(p.stdin, cmdRotate+"\n"); err != nil {
		return at, false, err
	}
	var text string
	select {
	case text = <-p.rotated:
	case <-p.exited:
		return at, false, errors.New("realnet: the server process exited before it rotated")
	case <-ctx.Done():
		return at, false, ctx.Err()
	}
	var ns int64
	var how string
	if _, err := fmt.Sscanf(text, "%d %s", &ns, &how); err != nil || how != "goaway" && how != "nothing" {
		return at, false, fmt.Errorf("realnet: the server process cannot rotate (it answered %q): it must listen with Child.ListenAged", text)
	}
	return time.Unix(0, ns), how == "nothing", nil
}

func (p *process) signal(sig syscall.Signal) {
	select {
	case <-p.exited:
	default:
		p.cmd.Process.Signal(sig)
	}
}

// kill ends the process with SIGKILL and waits until it is reaped.
func (p *process) kill() {
	p.signal(syscall.SIGKILL)
	p.stdin.Close()
	<-p.exited
}
