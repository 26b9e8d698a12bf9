package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/reconnbench/reconnbench/replay"
)

// Traffic is what the client does between restarts, besides replaying.
type Traffic string

// The traffic modes.
const (
	// Idle makes no RPCs: the case of grpc/grpc-go#7688, where nothing but
	// the strategy can make the channel reconnect.
	Idle Traffic = "idle"
	// Busy makes a unary RPC every BusyInterval, failing fast, each with a
	// deadline of BusyTimeout.
	Busy Traffic = "busy"
	// Stream holds a server stream open and re-opens it StreamRetry after it
	// breaks.
	Stream Traffic = "stream"
	// Rare is a client whose RPCs are rare, like a periodic job or a
	// heartbeat with a long period: nothing before the fault, then exactly
	// one unary RPC, failing fast with a deadline of BusyTimeout, half way
	// through the downtime (for flap, the first one; for rotate, its grace
	// period), so inside the outage, and nothing after it for the rest of
	// the cycle. That one RPC is the only thing besides the strategy that
	// can wake an IDLE channel.
	Rare Traffic = "rare"
)

// Parameters of the traffic modes.
const (
	BusyInterval = 100 * time.Millisecond
	BusyTimeout  = 1 * time.Second
	StreamRetry  = 100 * time.Millisecond
)

var trafficModes = []Traffic{Idle, Busy, Stream, Rare}

// TrafficModes returns every traffic mode.
func TrafficModes() []Traffic { return append([]Traffic(nil), trafficModes...) }

// ParseTraffic returns the traffic mode called name.
func ParseTraffic(name string) (Traffic, error) {
	names := make([]string, len(trafficModes))
	for i, t := range trafficModes {
		if string(t) == name {
			return t, nil
		}
		names[i] = string(t)
	}
	return "", fmt.Errorf("unknown traffic mode %q (valid: %s)", name, strings.Join(names, ", "))
}

// trafficCue is what a traffic mode may go by besides the clock.
type trafficCue struct {
	struck   <-chan struct{} // closed when the fault strikes
	downtime time.Duration
	note     func(detail string) // traces an RPC of the rare mode
	ended    func(err error)     // each unary RPC's end (busy, rare), if set
}

// rpc notes that a unary RPC ended with err.
func (cue trafficCue) rpc(err error) {
	if cue.ended != nil {
		cue.ended(err)
	}
}

// run makes the traffic until ctx ends.
func (t Traffic) run(ctx context.Context, c *replay.Client, cue trafficCue) {
	switch t {
	case Rare:
		select {
		case <-cue.struck:
		case <-ctx.Done():
			return
		}
		if !sleep(ctx, cue.downtime/2) {
			return
		}
		rctx, cancel := context.WithTimeout(ctx, BusyTimeout)
		err := c.Ping(rctx)
		cancel()
		cue.rpc(err)
		detail := "ok"
		if err != nil {
			detail = err.Error()
		}
		cue.note(detail)
	case Busy:
		tick := time.NewTicker(BusyInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rctx, cancel := context.WithTimeout(ctx, BusyTimeout)
			err := c.Ping(rctx) // failures are the channel's business, not ours
			cancel()
			if ctx.Err() == nil {
				cue.rpc(err) // not one the cycle's end cut short
			}
		}
	case Stream:
		for {
			c.Subscribe(ctx)
			if !sleep(ctx, StreamRetry) {
				return
			}
		}
	}
}

// sleep waits for d and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
