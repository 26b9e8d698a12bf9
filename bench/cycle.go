package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"

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
	// Detected reports whether the client gave up every connection that
	// was open at the fault; Detect is when the last of them was given up,
	// counted from the fault.
	Detected bool
	Detect   time.Duration
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
	// end of the cycle.
	replay.Tally
	// Trace lists what happened, in order.
	Trace []resultset.Event
}

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
	r := &cycle{resolved: rs, log: log, rec: &recorder{}, clientReady: make(chan struct{})}
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
}

func (c *cycle) run(parent context.Context) (res Cycle, err error) {
	ctx, cancel := context.WithCancel(parent)
	c.ctx = ctx
	if c.bed, err = newTestbed(c); err != nil {
		cancel()
		return res, err
	}

	hooks := strategies.Hooks{
		Dial:   c.bed.Dial,
		Replay: c.startReplay,
		Lost:   func() { c.rec.add(resultset.EventLost, "") },
	}
	strategy := c.strategy.New()
	opts := append([]grpc.DialOption{
		grpc.WithInsecure(), // deprecated, but present in every release since v1.30
		grpc.WithContextDialer(hooks.Dial),
	}, strategy.DialOptions(hooks)...)
	cc, err := grpc.DialContext(ctx, "passthrough:///"+c.bed.Target(), opts...)
	if err != nil {
		cancel()
		c.bed.Close()
		return res, fmt.Errorf("dial: %w", err)
	}
	c.client = replay.NewClient(cc, c.log)
	close(c.clientReady)
	defer func() {
		if terr := c.teardown(cancel, cc); terr != nil && err == nil {
			err = terr
		}
	}()

	c.goWatch(func() { watchStates(ctx, cc, c.rec) })
	if w, ok := strategy.(strategies.Watcher); ok {
		c.goWatch(func() { w.Watch(ctx, cc, hooks) })
	}

	if !c.wait(c.bed.Last().Complete(), c.Setup) {
		return res, fmt.Errorf("%s: the first replay did not complete within %v", c.Name(), c.Setup)
	}
	c.goWatch(func() { c.Traffic.run(ctx, c.client) })
	if !sleep(ctx, c.Settle) {
		return res, ctx.Err()
	}

	t0 := time.Now()
	c.rec.add(resultset.EventFault, c.fault.Name())
	if err := c.bed.Inject(ctx, c.fault, c.Downtime); err != nil {
		return res, fmt.Errorf("inject %s: %w", c.fault.Name(), err)
	}
	final := c.bed.Last()
	starts := c.bed.Starts()
	res.Restart = starts[len(starts)-1].Sub(t0)
	if c.wait(final.Complete(), c.Deadline) {
		res.Recovered = true
		res.Recover = final.CompletedAt().Sub(t0)
		c.rec.add(resultset.EventRecovered, "")
		sleep(ctx, c.Settle) // late duplicates land in the tally
	}
	end := time.Now()

	res.Detected, res.Detect = detection(c.bed.Conns(), t0, end)
	for _, d := range c.bed.Dials() {
		if !d.Start.Before(t0) && !d.Start.After(end) {
			res.Dials++
		}
	}
	tctx, tcancel := context.WithTimeout(ctx, teardownGrace)
	res.Tally, err = final.Tally(tctx, c.log.Len())
	tcancel()
	if err != nil {
		return res, fmt.Errorf("tally of the final server: %w", err)
	}
	res.Trace = c.rec.trace(t0, end)
	return res, nil
}

// detection finds when the client gave up the connections that were open at
// the fault t0: all of them by end, or it did not detect the fault.
func detection(conns []netsim.ConnInfo, t0, end time.Time) (bool, time.Duration) {
	var last time.Time
	open := 0
	for _, c := range conns {
		if c.Opened.After(t0) || (!c.Closed.IsZero() && c.Closed.Before(t0)) {
			continue // not open at the fault
		}
		open++
		if c.Closed.IsZero() || c.Closed.After(end) {
			return false, 0
		}
		if c.Closed.After(last) {
			last = c.Closed
		}
	}
	if open == 0 {
		return false, 0 // nothing was connected, so nothing to give up
	}
	return true, last.Sub(t0)
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

// watchStates traces the channel's connectivity states. It only observes:
// it never asks the channel to connect.
func watchStates(ctx context.Context, cc *grpc.ClientConn, rec *recorder) {
	for {
		s := cc.GetState()
		rec.add(resultset.EventState, s.String())
		if !cc.WaitForStateChange(ctx, s) {
			return
		}
	}
}
