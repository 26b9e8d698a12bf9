package bench

import (
	"context"
	"io"
	"net"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/test/bufconn"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/replay"
	"github.com/reconnbench/reconnbench/resultset"
)

// Throughput is CPU-bound, so these benchmarks run on the real clock with
// Go's own harness, outside any synctest bubble.

// rawWrite is the write size of the raw transport benchmark.
const rawWrite = 32 << 10

// transport is a way to get a connected net.Listener and dialer.
type transport struct {
	name   string
	listen func(b *testing.B) (net.Listener, func(context.Context) (net.Conn, error))
}

var transports = []transport{
	{"netsim", func(b *testing.B) (net.Listener, func(context.Context) (net.Conn, error)) {
		n := netsim.New(netsim.Local)
		b.Cleanup(func() { n.Close() })
		lis, err := n.Listen("server:1")
		if err != nil {
			b.Fatal(err)
		}
		return lis, func(ctx context.Context) (net.Conn, error) { return n.Dial(ctx, "server:1") }
	}},
	{"bufconn", func(b *testing.B) (net.Listener, func(context.Context) (net.Conn, error)) {
		lis := bufconn.Listen(1 << 20) // netsim's buffer size too
		b.Cleanup(func() { lis.Close() })
		return lis, func(context.Context) (net.Conn, error) {
			c, err := lis.Dial()
			if err != nil {
				return nil, err
			}
			return &closedConn{Conn: c}, nil
		}
	}},
	{"tcp", func(b *testing.B) (net.Listener, func(context.Context) (net.Conn, error)) {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { lis.Close() })
		var d net.Dialer
		return lis, func(ctx context.Context) (net.Conn, error) { return d.DialContext(ctx, "tcp", lis.Addr().String()) }
	}},
}

// closedConn gives a bufconn connection the rule of a socket, and of a
// netsim Conn: once closed, its deadlines cannot be set. gRPC-Go v1.85 sets
// a 10 s write and a 1 s read deadline each time it closes a client
// transport, and may do so after the conn is closed; bufconn arms a timer
// for each, and the timer keeps the connection's two 1 MiB buffers
// reachable until it fires. Without this every connection of an earlier
// round stayed on the heap for up to 10 s: the heap grew round after round
// (to 20 MB and more), the GC ran ever less often, and bufconn's figures
// improved from one round to the next for no reason of its own.
type closedConn struct {
	net.Conn
	mu     sync.Mutex // orders Close with the deadline setters
	closed bool
}

func (c *closedConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	err := c.Conn.Close()
	c.Conn.SetDeadline(time.Time{}) // stops the timers armed before
	return err
}

// setDeadline calls set unless the conn is closed.
func (c *closedConn) setDeadline(set func(time.Time) error, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return net.ErrClosed
	}
	return set(t)
}

func (c *closedConn) SetDeadline(t time.Time) error { return c.setDeadline(c.Conn.SetDeadline, t) }

func (c *closedConn) SetReadDeadline(t time.Time) error {
	return c.setDeadline(c.Conn.SetReadDeadline, t)
}

func (c *closedConn) SetWriteDeadline(t time.Time) error {
	return c.setDeadline(c.Conn.SetWriteDeadline, t)
}

// BenchmarkTransport compares netsim with bufconn and loopback TCP in one
// run, with three loads:
//
//   - raw: bytes in 32 KiB writes, without gRPC;
//   - stream: one gRPC client stream of the replay's 256-byte messages, as
//     long as the benchmark runs, to a server that keeps nothing;
//   - log: the default log's shape without the replay: each op is a client
//     stream of 1,000 such messages and the server's count, as a replay
//     sends them. Starting the stream and waiting for the server to drain
//     it cost the same to a replay, so this is the yardstick that leaves
//     the replay's own work as the difference.
func BenchmarkTransport(b *testing.B) {
	for _, tr := range transports {
		b.Run("net="+tr.name+"/load=raw", func(b *testing.B) { benchRaw(b, tr) })
		b.Run("net="+tr.name+"/load=stream", func(b *testing.B) { benchStream(b, tr) })
		b.Run("net="+tr.name+"/load=log", func(b *testing.B) { benchLog(b, tr) })
	}
}

func benchRaw(b *testing.B, tr transport) {
	lis, dial := tr.listen(b)
	done := make(chan int64, 1)
	go func() {
		c, err := lis.Accept()
		if err != nil {
			done <- -1
			return
		}
		n, _ := io.Copy(io.Discard, c)
		c.Close()
		done <- n
	}()
	c, err := dial(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, rawWrite)
	b.SetBytes(rawWrite)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	c.Close()
	// Count what the reader received, so buffering cannot flatter a
	// transport.
	if n := <-done; n != int64(b.N)*rawWrite {
		b.Fatalf("reader got %d bytes, want %d", n, int64(b.N)*rawWrite)
	}
	b.StopTimer()
}

// grpcPair serves the replay service on tr and returns a client with the
// default log, and the store of the server.
func grpcPair(b *testing.B, tr transport, opts ...grpc.DialOption) (*replay.Client, *replay.Log) {
	lis, dial := tr.listen(b)
	log, err := replay.NewLog(replay.DefaultEntries, replay.DefaultEntrySize)
	if err != nil {
		b.Fatal(err)
	}
	s := newGRPCServer()
	replay.Register(s, replay.NewStore(log.Len()))
	go s.Serve(lis)
	b.Cleanup(s.Stop)
	opts = append([]grpc.DialOption{
		grpc.WithInsecure(),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return dial(ctx) }),
	}, opts...)
	cc, err := grpc.Dial("passthrough:///server", opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cc.Close() })
	return replay.NewClient(cc, log), log
}

func benchStream(b *testing.B, tr transport) {
	client, _ := grpcPair(b, tr)
	msg := make([]byte, replay.DefaultEntrySize)
	ctx := context.Background()
	// Connect outside the timing.
	if err := client.Discard(ctx, msg, 1); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(replay.DefaultEntrySize)
	m := startMeter(b)
	if err := client.Discard(ctx, msg, b.N); err != nil {
		b.Fatal(err)
	}
	m.report(b, b.N)
}

func benchLog(b *testing.B, tr transport) {
	client, _ := grpcPair(b, tr)
	msg := make([]byte, replay.DefaultEntrySize)
	ctx := context.Background()
	if err := client.Discard(ctx, msg, 1); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(replay.DefaultEntries * replay.DefaultEntrySize)
	m := startMeter(b)
	for i := 0; i < b.N; i++ {
		if err := client.Discard(ctx, msg, replay.DefaultEntries); err != nil {
			b.Fatal(err)
		}
	}
	m.report(b, b.N*replay.DefaultEntries)
}

// meter measures a timed loop of messages: their rate, and the GC cycles
// the loop took per million messages. Equal work can differ in speed by
// the GC alone, which paces itself on the live heap, so the throughput
// results carry the figure that shows it.
type meter struct {
	start time.Time
	gcs   uint64
	cpu   time.Duration // the process's CPU time (user+system) at the start
}

// startMeter starts the timed loop: it resets b's timer and reports
// allocations.
func startMeter(b *testing.B) meter {
	b.ReportAllocs()
	b.ResetTimer()
	return meter{start: time.Now(), gcs: gcCycles(), cpu: processCPU()}
}

// report reports msgs messages sent since the start.
func (m meter) report(b *testing.B, msgs int) {
	elapsed := time.Since(m.start)
	cpu := processCPU() - m.cpu
	b.StopTimer()
	b.ReportMetric(float64(msgs)/elapsed.Seconds(), resultset.UnitMsgsPerS)
	b.ReportMetric(float64(gcCycles()-m.gcs)/float64(msgs)*1e6, resultset.UnitGCPerMmsg)
	// CPU time per message, client and server together: unlike msgs/s it
	// does not count the time the process waits for a core that another
	// process holds. Zero where the OS does not report it.
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(msgs), resultset.UnitCPUPerMsg)
	}
}

// gcCycles returns the GC cycles the process has completed.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// BenchmarkReplay measures how fast the client pushes the default log
// (1,000 entries of 256 bytes) to a server that has just restarted, over
// netsim's local link: one op is one whole replay, on one client stream or
// as one unary call per entry.
//
// It is measured per mode, not per strategy: every strategy replays
// through the same replay.Client, and a strategy adds only dial options
// (keepalive parameters) that send nothing while a replay streams. When
// it ran for each strategy, the strategies of a release differed by no
// more than the noise (docs/throughput.md has the figures).
func BenchmarkReplay(b *testing.B) {
	for _, mode := range ReplayModes {
		b.Run("mode="+mode, func(b *testing.B) { benchReplay(b, mode) })
	}
}

func benchReplay(b *testing.B, mode string) {
	n := netsim.New(netsim.Local)
	defer n.Close()
	log, err := replay.NewLog(replay.DefaultEntries, replay.DefaultEntrySize)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := netsim.StartServer(n, "server:1", func() netsim.Instance {
		s := newGRPCServer()
		replay.Register(s, replay.NewStore(log.Len()))
		return netsim.Instance{GRPC: s}
	})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	dial := func(ctx context.Context, addr string) (net.Conn, error) { return n.Dial(ctx, netsim.Addr(addr)) }
	opts := []grpc.DialOption{
		grpc.WithInsecure(),
		grpc.WithContextDialer(dial),
		// The setup's restart should cost milliseconds, not a backoff
		// of a second or more on every round of the benchmark; the
		// replay's speed does not depend on it. MinConnectTimeout must
		// be set with it: left zero, gRPC-Go takes the first backoff
		// (1 ms) as the connect deadline and hard-closes a connection
		// whose handshake a GC pause or a busy core makes slower than
		// that. With v1.85.0 that race sometimes left the channel READY
		// on the closed connection and the replay hung to its deadline.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 10 * time.Millisecond},
			MinConnectTimeout: 20 * time.Second,
		}),
	}
	cc, err := grpc.Dial("passthrough:///server:1", opts...)
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Close()
	client := replay.NewClient(cc, log)
	replayFn := client.Replay
	if mode == "unary" {
		replayFn = client.ReplayUnary
	}
	// Each replay is bounded as the harness bounds it, so a stuck one
	// fails the benchmark in seconds.
	replayOnce := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, DefaultReplayTimeout)
		defer cancel()
		return replayFn(ctx)
	}
	ctx := context.Background()
	if err := replayOnce(ctx); err != nil {
		b.Fatal(err)
	}
	// Restart the server so the replays go over a reconnected channel.
	crash, err := netsim.LookupFault("crash")
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Inject(ctx, crash, 0); err != nil {
		b.Fatal(err)
	}
	// A replay that starts before the client has noticed the crash fails
	// on the dead connection, or on old releases (v1.30) can hang on it
	// until its deadline; let the channel leave READY first, then retry as
	// a strategy would, each attempt briefly bounded.
	lost, cancelLost := context.WithTimeout(ctx, time.Second)
	cc.WaitForStateChange(lost, connectivity.Ready)
	cancelLost()
	for start := time.Now(); ; {
		attempt, cancel := context.WithTimeout(ctx, time.Second)
		err := replayFn(attempt)
		cancel()
		if err == nil {
			break
		}
		if time.Since(start) > DefaultSetup {
			b.Fatalf("no replay succeeded within %v of the restart: %v", DefaultSetup, err)
		}
	}

	b.SetBytes(log.Bytes())
	m := startMeter(b)
	for i := 0; i < b.N; i++ {
		if err := replayOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	m.report(b, b.N*log.Len())
}
