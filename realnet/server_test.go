package realnet_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/internal/proctable"
	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/realnet"
)

const (
	downtime = 300 * time.Millisecond
	slack    = 2 * time.Second // for a process start on a loaded machine
)

func startServer(t *testing.T, proxy bool) (*realnet.Server, *events) {
	t.Helper()
	ev := &events{}
	s, err := realnet.StartServer(realnet.Config{
		Command: selfCommand,
		Proxy:   proxy,
		OnEvent: ev.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, ev
}

type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(gen int, ev string) {
	e.mu.Lock()
	e.list = append(e.list, strconv.Itoa(gen)+" "+ev)
	e.mu.Unlock()
}

func (e *events) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.list, ", ")
}

// pid asks the serving process for its process ID.
func pid(t *testing.T, s *realnet.Server) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := s.Ask(ctx, "pid")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(r)
	n, err := strconv.Atoi(f[len(f)-1])
	if err != nil || f[0] != "pid" {
		t.Fatalf("reply %q: want \"pid <n>\"", r)
	}
	return n
}

// echo checks that c echoes a message within a second.
func echo(c net.Conn, msg string) error {
	c.SetDeadline(time.Now().Add(time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return errors.New("echo garbled")
	}
	return nil
}

// alive reports whether a process with this ID still exists (unreaped
// zombies included).
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// TestFaults injects each fault into a real server process and checks what
// a client connected at the fault, and one dialling during the downtime,
// experience, and that a fresh process serves on the same address after.
func TestFaults(t *testing.T) {
	flap, err := netsim.LookupFault("flap")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fault netsim.Fault
		proxy bool
		// what the connection open at the fault sees
		broken bool // an end of stream or reset, not silence
		// what a dial during the downtime does
		refused bool
		starts  int
	}{
		{netsim.Crash{}, false, true, true, 2},
		{netsim.Graceful{}, false, true, true, 2},
		{netsim.Blackhole{}, true, false, false, 2},
		{flap, false, true, true, 1 + flap.(netsim.Flap).Times},
	} {
		t.Run(tc.fault.Name(), func(t *testing.T) {
			t.Parallel()
			s, ev := startServer(t, tc.proxy)
			var d realnet.Dialer
			ctx := context.Background()
			c, err := d.Dial(ctx, s.Target())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := echo(c, "before"); err != nil {
				t.Fatalf("echo before the fault: %v", err)
			}
			first := pid(t, s)

			injected := make(chan error, 1)
			t0 := time.Now()
			go func() { injected <- s.Inject(ctx, tc.fault, downtime) }()

			// The open connection: broken at once, or silent.
			time.Sleep(downtime / 4)
			c.SetReadDeadline(time.Now().Add(downtime / 2))
			io.WriteString(c, "during")
			n, err := c.Read(make([]byte, 16))
			var ne net.Error
			switch {
			case tc.broken && (n > 0 || err == nil || errors.As(err, &ne) && ne.Timeout()):
				t.Errorf("open connection at %s: read %d bytes, %v; want it broken", tc.fault.Name(), n, err)
			case !tc.broken && !(errors.As(err, &ne) && ne.Timeout()):
				t.Errorf("open connection at %s: read %d bytes, %v; want silence", tc.fault.Name(), n, err)
			}

			// A dial while the server is down.
			dc, err := d.Dial(ctx, s.Target())
			if tc.refused {
				if err == nil {
					dc.Close()
					t.Errorf("dial during the downtime succeeded; want it refused")
				}
			} else if err != nil {
				t.Errorf("dial during the downtime: %v; want it accepted and then silent", err)
			} else {
				if err := echo(dc, "x"); err == nil {
					t.Errorf("connection made during the blackhole echoed")
				}
				dc.Close()
			}

			if err := <-injected; err != nil {
				t.Fatal(err)
			}
			took := time.Since(t0)
			starts := s.Starts()
			if len(starts) != tc.starts {
				t.Fatalf("%d processes started, want %d", len(starts), tc.starts)
			}
			// Exact restart times are validate's business; here, the
			// schedule, counted from the fault, and a generous bound (a
			// race-enabled process starts slowly).
			period := downtime
			if f, ok := tc.fault.(netsim.Flap); ok {
				period += f.Up
			}
			for k, st := range starts[1:] {
				want := time.Duration(k)*period + downtime
				if got := st.Sub(t0); got < want || got > want+slack {
					t.Errorf("process %d served %v after the fault; want %v, plus at most %v", k+2, got, want, slack)
				}
			}
			if second := pid(t, s); second == first {
				t.Errorf("the same process (%d) serves after %s", first, tc.fault.Name())
			}
			if alive(first) {
				t.Errorf("process %d still exists after %s", first, tc.fault.Name())
			}
			nc, err := d.Dial(ctx, s.Target())
			if err != nil {
				t.Fatalf("dial after the fault (%v): %v", took, err)
			}
			defer nc.Close()
			if err := echo(nc, "after"); err != nil {
				t.Fatalf("echo after the fault: %v", err)
			}
			if !strings.Contains(ev.String(), "accepted") {
				t.Errorf("no events from the processes: %q", ev)
			}
		})
	}
}

// TestCloseReapsEveryProcess checks that Close leaves no process behind,
// the standby that waits out a downtime included.
func TestCloseReapsEveryProcess(t *testing.T) {
	s, _ := startServer(t, true)
	first := pid(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), downtime/2)
	defer cancel()
	// Interrupted during the downtime: the server stays down, a standby
	// process waits.
	if err := s.Inject(ctx, netsim.Crash{}, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Inject interrupted by its context: %v", err)
	}
	if _, err := s.Ask(context.Background(), "pid"); err == nil {
		t.Fatal("Ask succeeded while the server is down")
	}
	s.Close()
	if alive(first) {
		t.Errorf("process %d still exists after Close", first)
	}
	// No child of ours is left, reaped or not.
	if children := proctable.Children(os.Getpid()); len(children) > 0 {
		t.Errorf("processes left after Close: %v", children)
	}
}

// TestOrphanExits checks that a server process whose supervisor has gone
// (its standard input ends) exits by itself.
func TestOrphanExits(t *testing.T) {
	cmd := selfCommand()
	cmd.Env = append(os.Environ(), realnet.AddrEnv+"=127.0.0.1:0")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("the orphaned server process was still running 10s after its input ended")
	}
}

// TestProxyForwards sends a megabyte each way through the proxy.
func TestProxyForwards(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	go func() {
		c, err := lis.Accept()
		if err != nil {
			return
		}
		io.Copy(c, c)
		c.Close()
	}()
	p, err := realnet.NewProxy(lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := make([]byte, 1<<20)
	for i := range want {
		want[i] = byte(i*7 + i>>10)
	}
	go func() {
		c.Write(want)
		c.(*net.TCPConn).CloseWrite()
	}()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("echoed %d bytes through the proxy, want the %d sent, in order", len(got), len(want))
	}
}

// TestServerPort checks that servers listen below the ephemeral range,
// where the kernel hands out no port on its own, and that a port already
// taken is refused with a line naming it.
func TestServerPort(t *testing.T) {
	s, _ := startServer(t, false)
	_, port, err := net.SplitHostPort(s.Target())
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := realnet.PortRange()
	if p, _ := strconv.Atoi(port); p < lo || p >= hi {
		t.Errorf("server at port %d, want one in [%d, %d)", p, lo, hi)
	}
	p, _ := strconv.Atoi(port)
	_, err = realnet.StartServer(realnet.Config{Command: selfCommand, Port: p})
	if err == nil || !strings.Contains(err.Error(), "port "+port+": want a free port") {
		t.Errorf("a second server at a taken port: error %v, want one naming port %s", err, port)
	}
}
