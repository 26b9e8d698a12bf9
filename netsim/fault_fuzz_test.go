//go:build go1.25

package netsim

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// echoMethod is served by echoServer: it sends every message back.
const echoMethod = "/netsim.fuzz/Echo"

// echoServer builds instances that echo each message of a stream, in order.
// Messages are HealthCheckRequests whose Service field carries the payload.
func echoServer() Instance {
	return Instance{GRPC: grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		for {
			var m healthpb.HealthCheckRequest
			if err := stream.RecvMsg(&m); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			if err := stream.SendMsg(&m); err != nil {
				return err
			}
		}
	}))}
}

// echoClient is a gRPC channel to addr on n.
func echoClient(t *testing.T, n *Network, addr Addr) *grpc.ClientConn {
	t.Helper()
	cc, err := grpc.NewClient("passthrough:///"+string(addr),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) { return n.Dial(ctx, Addr(a)) }))
	if err != nil {
		t.Fatal(err)
	}
	return cc
}

// echo sends up to count messages of size bytes on one stream, pausing
// gap between them, until stop closes; then it half-closes the stream and
// reads the rest of the echoes. It returns the messages sent and those
// echoed, in order, and the error that ended the stream: nil when the
// server ended it after the last echo.
func echo(ctx context.Context, cc *grpc.ClientConn, stop <-chan struct{}, count, size int, gap time.Duration) (sent, got []string, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := cc.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, echoMethod, grpc.WaitForReady(true))
	if err != nil {
		return nil, nil, err
	}
	recvd := make(chan error, 1)
	go func() {
		for {
			var m healthpb.HealthCheckRequest
			if err := stream.RecvMsg(&m); err != nil {
				if err == io.EOF {
					err = nil
				}
				recvd <- err
				return
			}
			got = append(got, m.Service)
		}
	}()
send:
	for i := range count {
		select {
		case <-stop:
			break send
		default:
		}
		msg := payload(i, size)
		if err := stream.SendMsg(&healthpb.HealthCheckRequest{Service: msg}); err != nil {
			break // the receiver sees why
		}
		sent = append(sent, msg)
		if gap > 0 {
			time.Sleep(gap)
		}
	}
	stream.CloseSend()
	err = <-recvd
	return sent, got, err
}

// echoLockstep is echo with one message in flight at a time: it sends a
// message and reads its echo before the next. The stream that crosses
// faults uses it, because gRPC-Go's transparent retry holds the stream's
// mutex while it waits for a transport, and a SendMsg on another goroutine
// would then wait on that mutex, which synctest does not count as durably
// blocked: the virtual clock would stop, and the test with it. Found by
// FuzzFaultSchedule itself; on the real clock it is no hang.
func echoLockstep(ctx context.Context, cc *grpc.ClientConn, stop <-chan struct{}, size int, gap time.Duration) (sent, got []string, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := cc.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, echoMethod, grpc.WaitForReady(true))
	if err != nil {
		return nil, nil, err
	}
	for i := 0; ; i++ {
		select {
		case <-stop:
			stream.CloseSend()
			var m healthpb.HealthCheckRequest
			if err := stream.RecvMsg(&m); err != io.EOF {
				return sent, got, fmt.Errorf("after the last echo: %v, want EOF", err)
			}
			return sent, got, nil
		default:
		}
		msg := payload(i, size)
		if err := stream.SendMsg(&healthpb.HealthCheckRequest{Service: msg}); err != nil {
			return sent, got, err
		}
		sent = append(sent, msg)
		var m healthpb.HealthCheckRequest
		if err := stream.RecvMsg(&m); err != nil {
			return sent, got, err
		}
		got = append(got, m.Service)
		time.Sleep(gap)
	}
}

// payload is message i of a stream: its number and size bytes of filler,
// hex-encoded because the field is a proto string.
func payload(i, size int) string {
	b := make([]byte, size)
	for j := range b {
		b[j] = byte(i*31 + j)
	}
	return fmt.Sprintf("%06d:%s", i, hex.EncodeToString(b))
}

// isPrefix reports whether got is sent, or a prefix of it.
func isPrefix(got, sent []string) bool {
	if len(got) > len(sent) {
		return false
	}
	for i := range got {
		if got[i] != sent[i] {
			return false
		}
	}
	return true
}

// schedule reads a fuzz input one byte at a time, as zeros once it is used
// up.
type schedule struct{ b []byte }

func (s *schedule) next() int {
	if len(s.b) == 0 {
		return 0
	}
	v := s.b[0]
	s.b = s.b[1:]
	return int(v)
}

// maxSteps bounds the steps one input describes.
const maxSteps = 16

// FuzzFaultSchedule runs a random schedule of faults, downtimes, pauses and
// traffic against a Server on a network shaped by a random link profile,
// inside a synctest bubble, and checks what every connection sees.
//
// A connection is healthy when no fault acts on either of its ends: the
// fault neither resets nor blackholes it, closes its listener nor makes its
// address unreachable at any moment of its life. Here that is:
//
//   - a raw connection to a plain Listener at another address, carrying a
//     byte stream in chunks of random sizes while the whole schedule runs;
//   - a gRPC stream to a second Server at another address that is never
//     faulted, sending a message every 50 ms while the whole schedule runs;
//   - a gRPC stream to the faulted server on a channel opened after the
//     server is back, that ends before the next fault (the steps run one
//     after another, so each such exchange is over before the next fault).
//
// A healthy connection delivers every byte, once, in order, and ends as its
// owner ends it. A connection a fault hits (a stream to the faulted server
// opened before a fault and open across it, one message in flight at a
// time) may lose its tail, but what it delivers is a prefix of what was
// sent, in order. Nothing hangs: the server is back exactly when the
// downtime (or the flap) is over, and inside the bubble a goroutine blocked
// for good would fail the test as a deadlock, so the virtual clock bounds
// every wait. A goroutine that never blocks durably (a spin, or a wait on
// a mutex held across a durable wait) stops the virtual clock instead; the
// fuzzing engine then reports the process as hung after 10 s.
//
// The input is read a byte at a time: the link profile, then steps of an
// opcode and its argument: crash, graceful, blackhole and flap with a
// downtime of 20 ms a unit (0 to 5.1 s), a pause of 10 ms a unit, or an
// exchange of 1 to 16 messages of up to 256 bytes with the server.
func FuzzFaultSchedule(f *testing.F) {
	f.Add([]byte{0, 0, 50, 5, 3})                                // local: crash, down 1s, an exchange
	f.Add([]byte{1, 2, 50, 4, 20, 5, 8, 3, 25, 5, 16})           // lan: blackhole, pause, exchange, flap, exchange
	f.Add([]byte{2, 1, 0, 5, 1, 0, 255, 1, 1, 5, 200})           // wan: graceful with no downtime, crash for 5.1s, graceful
	f.Add([]byte{0, 3, 0, 3, 0, 2, 0, 2, 0, 5, 15, 1, 10, 5, 9}) // faults back to back
	f.Add([]byte{1})                                             // no faults: the background traffic alone
	f.Fuzz(func(t *testing.T, data []byte) {
		synctest.Test(t, func(t *testing.T) { runSchedule(t, data) })
	})
}

func runSchedule(t *testing.T, data []byte) {
	in := &schedule{b: data}
	profiles := []Profile{Local, LAN, WAN}
	link := profiles[in.next()%len(profiles)]
	n := New(link)
	defer n.Close()
	faulted, err := StartServer(n, "faulted:1", echoServer)
	if err != nil {
		t.Fatal(err)
	}
	defer faulted.Close()
	other, err := StartServer(n, "other:1", echoServer)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lis, err := n.Listen("plain:1")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()

	// The background traffic runs until stopSending closes, when the
	// schedule is over; ctx ends what a fault left hanging after that.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopSending := make(chan struct{})

	// Healthy: raw bytes to a plain listener, across the whole schedule.
	rawDone := make(chan func(), 1)
	go func() { rawDone <- rawTransfer(t, n, lis, stopSending, len(data)) }()

	// Healthy: a stream to the server that is never faulted.
	otherCC := echoClient(t, n, "other:1")
	defer otherCC.Close()
	otherDone := make(chan func(), 1)
	go func() {
		sent, got, err := echo(ctx, otherCC, stopSending, 1<<20, 32, 50*time.Millisecond)
		otherDone <- func() {
			if err != nil || len(got) != len(sent) || !isPrefix(got, sent) {
				t.Errorf("stream to the server under no fault: %d of %d messages echoed (in order: %v), ended by %v",
					len(got), len(sent), isPrefix(got, sent), err)
			}
		}
	}()

	// Hit: a stream to the faulted server opened before any fault.
	hitCC := echoClient(t, n, "faulted:1")
	defer hitCC.Close()
	hitDone := make(chan func(), 1)
	go func() {
		sent, got, err := echoLockstep(ctx, hitCC, stopSending, 32, 50*time.Millisecond)
		hitDone <- func() {
			if !isPrefix(got, sent) {
				t.Errorf("stream to the faulted server, across faults: echoed messages are not a prefix of those sent (%d echoed, %d sent, %v)", len(got), len(sent), err)
			}
		}
	}()

	faults := []string{"crash", "graceful", "blackhole", "flap"}
	for step := 0; step < maxSteps && len(in.b) > 0; step++ {
		op, arg := in.next()%6, in.next()
		switch {
		case op < len(faults):
			fault, downtime := lookup(t, faults[op]), time.Duration(arg)*20*time.Millisecond
			want := downtime // the server is back when the downtime is over
			if fl, ok := fault.(Flap); ok {
				want = time.Duration(fl.Times)*downtime + time.Duration(fl.Times-1)*fl.Up
			}
			start := time.Now()
			if err := faulted.Inject(context.Background(), fault, downtime); err != nil {
				t.Fatalf("step %d: %s: %v", step, faults[op], err)
			}
			if got := time.Since(start); got != want {
				t.Errorf("step %d: %s for %v: the server was back after %v, want %v", step, faults[op], downtime, got, want)
			}
		case op == 4:
			time.Sleep(time.Duration(arg) * 10 * time.Millisecond)
		default:
			// Healthy: a fresh channel to the instance that is up now.
			cc := echoClient(t, n, "faulted:1")
			xctx, cancel := context.WithTimeout(ctx, time.Minute)
			sent, got, err := echo(xctx, cc, nil, arg%16+1, arg, 0)
			cancel()
			cc.Close()
			if err != nil || len(got) != len(sent) || !isPrefix(got, sent) {
				t.Errorf("step %d: exchange with the server after it came back: %d of %d messages echoed (in order: %v), error %v",
					step, len(got), len(sent), isPrefix(got, sent), err)
			}
		}
	}
	time.Sleep(time.Second) // let the background traffic overlap the end of the last step
	close(stopSending)
	// The healthy connections end by themselves, at once on the virtual
	// clock; a minute is a hang.
	for _, healthy := range []struct {
		name string
		done chan func()
	}{{"raw connection to the plain listener", rawDone}, {"stream to the server under no fault", otherDone}} {
		select {
		case check := <-healthy.done:
			check()
		case <-time.After(time.Minute):
			t.Errorf("%s: still not over a minute after its last message", healthy.name)
			cancel()
			<-healthy.done
		}
	}
	cancel() // a blackhole may keep the hit stream waiting for ever
	(<-hitDone)()
}

// rawTransfer writes a byte stream over a raw connection to lis, in
// chunks whose sizes come from seed and 20 ms apart, until stop closes,
// then closes its end, and reads the stream at the other end. It returns
// the check to run: every byte written arrived, once, in order, and then
// EOF.
func rawTransfer(t *testing.T, n *Network, lis *Listener, stop <-chan struct{}, seed int) func() {
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := lis.Accept()
		accepted <- c
	}()
	client, err := n.Dial(context.Background(), lis.addr)
	if err != nil {
		return func() { t.Errorf("dial to the plain listener: %v", err) }
	}
	server := <-accepted
	defer server.Close()
	written := make(chan []byte, 1)
	go func() {
		defer client.Close()
		var sent []byte
		for k := seed%1021 + 1; ; k = k*7%1021 + 1 {
			select {
			case <-stop:
				written <- sent
				return
			default:
			}
			chunk := make([]byte, k)
			for i := range chunk {
				pos := len(sent) + i
				chunk[i] = byte(pos + pos/251)
			}
			if _, err := client.Write(chunk); err != nil {
				t.Errorf("write to the plain listener: %v", err)
				written <- sent
				return
			}
			sent = append(sent, chunk...)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var got bytes.Buffer
	buf := make([]byte, seed%8191+1)
	var rerr error
	for {
		m, err := server.Read(buf)
		got.Write(buf[:m])
		if err != nil {
			rerr = err
			break
		}
	}
	want := <-written
	return func() {
		if !errors.Is(rerr, io.EOF) {
			t.Errorf("raw connection to the plain listener ended with %v after %d bytes, want EOF", rerr, got.Len())
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("raw connection to the plain listener: read %d bytes that differ from the %d written", got.Len(), len(want))
		}
	}
}
