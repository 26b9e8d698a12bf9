package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/replay"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/strategies"
)

// teardownGrace bounds how long the harness waits for a strategy's
// goroutines and replays to return once the cycle is over.
const teardownGrace = 10 * time.Second

// Cycle is what one restart cycle measured.
type Cycle struct {
	// Inapplicable reports that the cell cannot run against the linked
	// gRPC-Go release (ErrNotApplicable): nothing else was measured.
	Inapplicable bool
	// Restarted reports whether the server instance serving at the end
	// is a fresh one, started after the fault with an empty store, so that
	// the client's log had to be replayed to it. A fault that keeps the
	// instance (rotate) leaves it false: nothing is to be recovered, the
	// cycle is never missed, and has neither Recover nor Restart.
	Restarted bool
	// Connected reports whether a client connection was open at the fault.
	// Detected reports whether the client gave up every connection that
	// was open at the fault (so, trivially, when none was); Detect is when
	// the last of them was given up, counted from the fault, zero when none
	// was open.
	Connected bool
	Detected  bool
	Detect    time.Duration
	// Recovered reports whether a replay completed on the server instance
	// that came back last, before the deadline; Recover is when, counted
	// from the fault.
	Recovered bool
	Recover   time.Duration
	// Restart is when the server instance that came back last started
	// serving, counted from the fault: exactly the fault's schedule on
	// netsim, later by a process's start-up on a real network.
	Restart time.Duration
	// Dials counts dial attempts from the fault to the end of the cycle,
	// as the network saw them.
	Dials int
	// Tally compares the final server's state with the client's log at the
	// end of the cycle, leaving out what an instance that served since the
	// first replay (rotate) held then: its lost entries are those missing
	// at the end, its duplicates, damaged entries and replays those that
	// came after the first replay.
	replay.Tally
	// Spurious counts the replays that reached a server instance that
	// already held the whole log, on every instance of the cycle, the
	// first included, at any time.
	Spurious int
	// Service reports a cell whose service is not one backend behind
	// passthrough: Result writes the units below for it.
	Service bool
	// NoReplay reports a cell that the replay does not measure (round
	// robin, a rolling restart: the client's calls spread over several
	// backends): it is never missed, and its lost, duplicated and
	// replayed messages are not written.
	NoReplay bool
	// RPCs counts the traffic's unary RPCs that ended from the fault to
	// the end of the cycle, and FailedRPCs those of them that failed.
	RPCs, FailedRPCs int
	// RoundRobin reports a policy that connects to every backend: then
	// AllReady reports whether the last instance of every backend took a
	// connection of the client's before the end of the cycle, and
	// AllReadyIn when the last of them did, counted from the fault.
	RoundRobin bool
	AllReady   bool
	AllReadyIn time.Duration
	// Trace lists what happened, in order.
	Trace []resultset.Event
}

// Missed reports whether the cycle needed a replay (the server, or the
// backend the client's state was on, restarted) and never got one.
func (c Cycle) Missed() bool { return c.Restarted && !c.Recovered && !c.Inapplicable }

// Run runs one restart cycle of scenario sc: connect and replay, settle,
// inject the fault, and wait for the strategy to replay to the fresh server,
// at most sc.Deadline after it is back. It runs on whatever clock the caller
// runs on: called inside a testing/synctest bubble, every timer is virtual.
//
// Every wait is bounded. A strategy that never recovers yields a Cycle with
// Recovered false, not an error; errors are for cycles that could not be
// measured (a bad scenario, or a first replay that never completed).
func Run(ctx context.Context, sc Scenario) (Cycle, error) {
	rs, err := sc.resolve()
	if err != nil {
		return Cycle{}, err
	}
	log, err := replay.NewLog(rs.Entries, rs.EntrySize)
	if err != nil {
		return Cycle{}, err
	}
	if rs.strategy.New == nil {
		return Cycle{}, fmt.Errorf("strategy %q has no constructor", rs.Strategy)
	}
	r := &cycle{resolved: rs, log: log, rec: &recorder{}, clientReady: make(chan struct{}), struck: make(chan struct{}), rpcs: &rpcLog{}}
	return r.run(ctx)
}

// cycle is the state of one Run.
type cycle struct {
	resolved
	log *replay.Log
	rec *recorder

	bed testbed
	// client is set once grpc.DialContext returns and then clientReady is
	// closed: a strategy's dialer can ask for a replay before that.
	client      *replay.Client
	clientReady chan struct{}

	ctx context.Context // ends at teardown
	wg  sync.WaitGroup  // every goroutine the harness or strategy starts through hooks

	// t0 is the fault's instant, set when it strikes, and struck is
	// closed then.
	t0     time.Time
	struck chan struct{}

	rpcs *rpcLog // the traffic's unary RPCs
}

// rpcLog keeps when each of the traffic's unary RPCs ended, and whether
// it failed.
type rpcLog struct {
	mu   sync.Mutex
	ends []time.Time
	errs []bool
}

func (l *rpcLog) add(err error) {
	l.mu.Lock()
	l.ends = append(l.ends, time.Now())
	l.errs = append(l.errs, err != nil)
	l.mu.Unlock()
}

// count returns how many RPCs ended from t0 to end, and how many of them
// failed.
func (l *rpcLog) count(t0, end time.Time) (n, failed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, at := range l.ends {
		if at.Before(t0) || at.After(end) {
			continue
		}
		n++
		if l.errs[i] {
			failed++
		}
	}
	return n, failed
}

func (c *cycle) run(parent context.Context) (res Cycle, err error) {
	ctx, cancel := context.WithCancel(parent)
	c.ctx = ctx
	if c.bed, err = newTestbed(c); err != nil {
		cancel()
		return res, err
	}

	hooks := strategies.Hooks{
		Dial:     c.bed.Dial,
		Replay:   c.startReplay,
		Lost:     func() { c.rec.add(resultset.EventLost, "") },
		Identity: c.identity,
	}
	strategy := c.strategy.New()
	opts := []grpc.DialOption{
		grpc.WithInsecure(), // deprecated, but present in every release since v1.30
		grpc.WithContextDialer(hooks.Dial),
	}
	if c.Policy != PickFirst {
		// In every release since v1.30; pick_first is the default.
		opts = append(opts, grpc.WithDefaultServiceConfig(serviceConfig(c.Policy)))
	}
	opts = append(opts, strategy.DialOptions(hooks)...)
	target := "passthrough:///" + c.bed.Target()
	if t, ok := c.bed.(interface{ ClientTarget() string }); ok {
		target = t.ClientTarget()
	}
	cc, err := dialClient(ctx, c.Client, target, opts...)
	if err != nil {
		cancel()
		c.bed.Close()
		if errors.Is(err, ErrNotApplicable) {
			return Cycle{Inapplicable: true}, nil
		}
		return res, fmt.Errorf("dial: %w", err)
	}
	c.client = replay.NewClient(cc, c.log)
	close(c.clientReady)
	defer func() {
		if terr := c.teardown(cancel, cc); terr != nil && err == nil {
			err = terr
		}
	}()

	state := cc.GetState() // before anything can wake the channel
	c.rec.add(resultset.EventState, state.String())
	c.goWatch(func() { watchStates(ctx, cc, state, c.rec) })
	if w, ok := strategy.(strategies.Watcher); ok {
		c.goWatch(func() { w.Watch(ctx, cc, hooks) })
	}

	if c.Client == NewClient {
		// A NewClient channel starts IDLE: the client's first call
		// makes it connect, as Dial's channel does by itself.
		c.goWatch(func() {
			fctx, fcancel := context.WithTimeout(ctx, c.Setup)
			defer fcancel()
			c.client.Ping(fctx, grpc.WaitForReady(true))
		})
	}

	if !c.wait(c.bed.Last().Complete(), c.Setup) {
		return res, fmt.Errorf("%s: the first replay did not complete within %v", c.Name(), c.Setup)
	}
	first := c.bed.Last()
	tctx, tcancel := context.WithTimeout(ctx, teardownGrace)
	before, err := first.Tally(tctx, c.log.Len())
	tcancel()
	if err != nil {
		return res, fmt.Errorf("tally of the first server: %w", err)
	}
	c.goWatch(func() {
		c.Traffic.run(ctx, c.client, trafficCue{struck: c.struck, downtime: c.Downtime,
			note: func(detail string) { c.rec.add(resultset.EventRPC, detail) }, ended: c.rpcs.add})
	})
	if _, selfTimed := c.fault.(netsim.Rotate); !selfTimed {
		// Rotate strikes when the server's age limit, the quiet time,
		// runs out.
		if !sleep(ctx, c.quiet()) {
			return res, ctx.Err()
		}
	}

	known := len(c.bed.Conns()) // connections made before the fault could strike
	if err := c.bed.Inject(ctx, c.fault, c.Downtime, c.strike); err != nil {
		return res, fmt.Errorf("inject %s: %w", c.fault.Name(), err)
	}
	t0 := c.t0
	if t0.IsZero() {
		return res, fmt.Errorf("inject %s: the fault never struck", c.fault.Name())
	}
	final := c.bed.Last()
	_, rotates := c.fault.(netsim.Rotate)
	res.NoReplay = !replayFits(c.Fault, c.Policy)
	res.Restarted = final != first && !rotates && !res.NoReplay
	res.Service = !service{c.Resolver, c.Backends, c.Policy}.single()
	res.RoundRobin = c.Policy == RoundRobin
	if res.RoundRobin {
		// Wait for every backend to be READY again, as long as a
		// recovery may take.
		if r, ok := c.bed.(allReadier); ok {
			c.wait(r.AllReady(t0), c.Deadline)
		}
	}
	if res.Restarted {
		starts := c.bed.Starts()
		res.Restart = starts[len(starts)-1].Sub(t0)
		if c.wait(final.Complete(), c.Deadline) {
			res.Recovered = true
			res.Recover = final.CompletedAt().Sub(t0)
			c.rec.add(resultset.EventRecovered, "")
			sleep(ctx, c.Settle) // late duplicates land in the tally
		}
	} else {
		// Nothing to recover; replays nobody needed may still come.
		sleep(ctx, c.Settle)
	}
	end := time.Now()

	conns := c.bed.Conns()
	if c.bed.RotatedNothing() {
		// The fault touched no connection: the client had let go of
		// the one that would have come of age (its idle timeout).
		conns = nil
	}
	res.Connected, res.Detected, res.Detect = detection(conns, known, t0, end)
	for _, d := range c.bed.Dials() {
		if !d.Start.Before(t0) && !d.Start.After(end) {
			res.Dials++
		}
	}
	tctx, tcancel = context.WithTimeout(ctx, teardownGrace)
	res.Tally, err = final.Tally(tctx, c.log.Len())
	tcancel()
	if err != nil {
		return res, fmt.Errorf("tally of the final server: %w", err)
	}
	if !res.Restarted {
		res.Duplicated -= before.Duplicated
		res.Corrupt -= before.Corrupt
		res.Replays -= before.Replays
	}
	res.Spurious = c.bed.Spurious()
	res.RPCs, res.FailedRPCs = c.rpcs.count(t0, end)
	if r, ok := c.bed.(allReadier); ok && res.RoundRobin {
		if at, ok := r.AllReadyAt(t0); ok && !at.After(end) {
			res.AllReady, res.AllReadyIn = true, at.Sub(t0)
		}
	}
	res.Trace = c.rec.trace(t0, end)
	return res, nil
}

// strike records the fault's instant.
func (c *cycle) strike(at time.Time) {
	if !c.t0.IsZero() {
		return
	}
	c.t0 = at
	c.rec.addAt(at, resultset.EventFault, c.fault.Name())
	close(c.struck)
}

// detection finds when the client gave up the connections that were open at
// the fault t0: whether there were any, whether it gave up all of them by
// end, and when the last. conns are in the order they were made; the
// first known were made before the fault was injected, and any other made
// before t0 is open at the fault too, but one made at t0 itself is the
// client's answer to it (a reconnect at the instant of a rotation).
func detection(conns []netsim.ConnInfo, known int, t0, end time.Time) (connected, detected bool, detect time.Duration) {
	var last time.Time
	open := 0
	for i, c := range conns {
		madeBefore := c.Opened.Before(t0) || c.Opened.Equal(t0) && i < known
		if !madeBefore || (!c.Closed.IsZero() && c.Closed.Before(t0)) {
			continue // not open at the fault
		}
		open++
		if c.Closed.IsZero() || c.Closed.After(end) {
			return true, false, 0
		}
		if c.Closed.After(last) {
			last = c.Closed
		}
	}
	if open == 0 {
		return false, true, 0 // nothing was connected, so nothing to give up
	}
	return true, true, last.Sub(t0)
}

// startReplay is the strategies' "replay now": one replay RPC in the
// background, bounded by ReplayTimeout.
func (c *cycle) startReplay() {
	c.rec.add(resultset.EventReplayStart, "")
	c.goWatch(func() {
		ctx, cancel := context.WithTimeout(c.ctx, c.ReplayTimeout)
		defer cancel()
		select {
		case <-c.clientReady:
		case <-ctx.Done():
			c.rec.add(resultset.EventReplayEnd, ctx.Err().Error())
			return
		}
		detail := "ok"
		if err := c.client.Replay(ctx); err != nil {
			detail = err.Error()
		}
		c.rec.add(resultset.EventReplayEnd, detail)
	})
}

// identity is the strategies' Identity hook: one wait-for-ready RPC,
// traced.
func (c *cycle) identity(ctx context.Context) (string, error) {
	select {
	case <-c.clientReady:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	id, err := c.client.Identity(ctx)
	detail := id
	if err != nil {
		detail = err.Error()
	}
	c.rec.add(resultset.EventIdentity, detail)
	return id, err
}

// goWatch runs f in a goroutine that teardown waits for.
func (c *cycle) goWatch(f func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f()
	}()
}

// wait waits for ch to close, at most d, and reports whether it did.
func (c *cycle) wait(ch <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	case <-c.ctx.Done():
		return false
	}
}

// teardown stops everything the cycle started and waits for it, at most
// teardownGrace.
func (c *cycle) teardown(cancel context.CancelFunc, cc *grpc.ClientConn) error {
	cancel()
	cc.Close()
	c.bed.Close()
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(teardownGrace)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return fmt.Errorf("strategy goroutines still running %v after the cycle ended (a strategy that ignores the end of its context):\n%s", teardownGrace, cycleStacks())
	}
}

// watchStates traces the channel's connectivity states after s, already
// traced. It only observes: it never asks the channel to connect.
func watchStates(ctx context.Context, cc *grpc.ClientConn, s connectivity.State, rec *recorder) {
	for cc.WaitForStateChange(ctx, s) {
		s = cc.GetState()
		rec.add(resultset.EventState, s.String())
	}
}
