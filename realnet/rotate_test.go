package realnet_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/realnet"
)

// agedServer is the server process of the rotation tests: a gRPC health
// service served by an aged server, with the supervisor's connection-age
// limit, and a fresh one, on the listener split by ListenAged.
func agedServer(c *realnet.Child) int {
	age, _ := c.Age()
	hs := health.NewServer()
	aged := grpc.NewServer(grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionAge: age.Max, MaxConnectionAgeGrace: age.Grace}))
	fresh := grpc.NewServer()
	for _, s := range []*grpc.Server{aged, fresh} {
		healthpb.RegisterHealthServer(s, hs)
	}
	agedLis, freshLis, err := c.ListenAged()
	if err != nil {
		return 1
	}
	go aged.Serve(agedLis)
	go fresh.Serve(freshLis)
	for {
		select {
		case r := <-c.Requests():
			c.Reply(fmt.Sprintf("%s %d", r, os.Getpid()))
		case <-c.Terminated():
			aged.Stop()
			fresh.Stop()
			return 0
		}
	}
}

// rotating starts a server whose processes have a connection-age limit,
// and records the instants its faults strike.
func rotating(t *testing.T, age realnet.Age) (*realnet.Server, *[]time.Time) {
	t.Helper()
	s, err := realnet.StartServer(realnet.Config{Command: selfCommand, Age: age})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var struck []time.Time // appended to on the goroutine that calls Inject
	s.OnStrike(func(at time.Time) { struck = append(struck, at) })
	return s, &struck
}

// TestRotate rotates an idle client's connection through the server
// process's own connection-age limit: the fault strikes at the GOAWAY, no
// sooner than gRPC's jitter allows, Inject returns the grace period after
// it, the client lets the connection go, and its next connection reaches
// the same process and is not rotated again.
func TestRotate(t *testing.T) {
	t.Parallel()
	age := realnet.Age{Max: time.Second, Grace: 300 * time.Millisecond}
	s, struck := rotating(t, age)
	var d realnet.Dialer
	cc, err := grpc.Dial("passthrough:///"+s.Target(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(d.Dial))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	hc := healthpb.NewHealthClient(cc)
	check := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := hc.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	check()
	first := pid(t, s)

	if err := s.Inject(context.Background(), netsim.Rotate{}, age.Grace); err != nil {
		t.Fatal(err)
	}
	returned := time.Now()
	if len(*struck) != 1 {
		t.Fatalf("the fault struck %d times, want once", len(*struck))
	}
	t0 := (*struck)[0]
	// gRPC's jitter is ±10% of the age, counted from when the server took
	// the connection, after start; the upper bound allows for a slow start.
	if got := t0.Sub(start); got < age.Max*9/10 || got > age.Max*11/10+slack {
		t.Errorf("struck %v after the client connected; want the age %v ± 10%%, plus at most %v", got, age.Max, slack)
	}
	if got := returned.Sub(t0); got < age.Grace {
		t.Errorf("Inject returned %v after the GOAWAY, before the grace period (%v) was over", got, age.Grace)
	}
	if s.RotatedNothing() {
		t.Error("RotatedNothing after a GOAWAY")
	}
	// The idle connection is closed at the GOAWAY; the client gives it up.
	for deadline := time.Now().Add(slack); ; time.Sleep(10 * time.Millisecond) {
		if conns := d.Conns(); len(conns) == 1 && !conns[0].Closed.IsZero() {
			if conns[0].Closed.Before(t0) {
				t.Errorf("the connection was given up at %v, before the GOAWAY at %v", conns[0].Closed, t0)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connections %+v %v after the GOAWAY; want the rotated one given up", d.Conns(), slack)
		}
	}

	// The next connection reaches the same process, which does not rotate
	// it: it is still open after more than the age.
	check()
	time.Sleep(age.Max*11/10 + age.Grace)
	check()
	if conns := d.Conns(); len(conns) != 2 || !conns[1].Closed.IsZero() {
		t.Errorf("connections %+v; want a second one, still open", conns)
	}
	if got := pid(t, s); got != first || len(s.Starts()) != 1 {
		t.Errorf("process %d serves after the rotation, %d started; want the first, %d, alone", got, len(s.Starts()), first)
	}
}

// TestRotateNothing: a server process whose client never connects has
// nothing to rotate; the fault strikes at the latest moment a GOAWAY
// could have come for a connection taken when the process started (the
// age plus 10%, plus a second), as on netsim.
func TestRotateNothing(t *testing.T) {
	t.Parallel()
	age := realnet.Age{Max: 500 * time.Millisecond, Grace: 100 * time.Millisecond}
	before := time.Now()
	s, struck := rotating(t, age)
	if err := s.Inject(context.Background(), netsim.Rotate{}, age.Grace); err != nil {
		t.Fatal(err)
	}
	if len(*struck) != 1 {
		t.Fatalf("the fault struck %d times, want once", len(*struck))
	}
	// The process starts counting when it listens, after before and
	// before it reports that it serves; its timer may fire late.
	latest := age.Max + age.Max/10 + time.Second
	if t0 := (*struck)[0]; t0.Before(before.Add(latest)) || t0.After(s.Starts()[0].Add(latest+slack)) {
		t.Errorf("struck %v after the process was started, want %v after it began to listen", t0.Sub(before), latest)
	}
	if !s.RotatedNothing() {
		t.Error("RotatedNothing is false after a rotation without a GOAWAY")
	}
}

// TestRotateNeedsAge: processes without a connection-age limit cannot
// rotate, and a malformed one stops the process from serving, with a
// line that names it.
func TestRotateNeedsAge(t *testing.T) {
	s, _ := startServer(t, false)
	if err := s.Inject(context.Background(), netsim.Rotate{}, time.Second); err == nil || !strings.Contains(err.Error(), "Config.Age") {
		t.Errorf("rotating processes without an age limit: error %v, want one naming Config.Age", err)
	}
	_, err := realnet.StartServer(realnet.Config{Command: func() *exec.Cmd {
		cmd := selfCommand()
		cmd.Env = append(os.Environ(), realnet.AgeEnv+"=2s")
		return cmd
	}})
	if err == nil || !strings.Contains(err.Error(), realnet.AgeEnv+`="2s"`) {
		t.Errorf("a process with %s=2s: error %v, want one naming it", realnet.AgeEnv, err)
	}
}
