package bench

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/resultset"
)

// WriteTrace prints a trace one event a line.
func WriteTrace(w io.Writer, trace []resultset.Event) error {
	for _, e := range trace {
		if _, err := fmt.Fprintln(w, e); err != nil {
			return err
		}
	}
	return nil
}

// recorder collects a cycle's events as they happen, from the harness, the
// strategy (through its hooks) and the network (as its Observer), so that
// events at the same instant keep their real order.
type recorder struct {
	mu     sync.Mutex
	events []stamped
}

type stamped struct {
	at   time.Time
	kind string
	info string
}

func (r *recorder) add(kind, detail string) {
	r.mu.Lock()
	r.events = append(r.events, stamped{time.Now(), kind, detail})
	r.mu.Unlock()
}

// addAt records an event that happened at at, which may be a moment
// already past, ahead of everything recorded at or after it: the fault,
// when it strikes on the server's own schedule (rotate) and is reported
// once the client may already have reacted at the same instant.
func (r *recorder) addAt(at time.Time, kind, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := len(r.events)
	for i > 0 && !r.events[i-1].at.Before(at) {
		i--
	}
	r.events = append(r.events, stamped{})
	copy(r.events[i+1:], r.events[i:])
	r.events[i] = stamped{at, kind, detail}
}

// DialEnded implements netsim.Observer.
func (r *recorder) DialEnded(d netsim.Dial) { r.dial(d, false) }

// dial traces a dial attempt's outcome, and with withAddr the address it
// dialed: a service of several addresses has it in its traces.
func (r *recorder) dial(d netsim.Dial, withAddr bool) {
	detail := d.Outcome.String()
	if withAddr {
		detail += " " + string(d.Addr)
	}
	if d.Outcome == netsim.TimedOut {
		detail += " after " + d.End.Sub(d.Start).String()
	}
	r.add(resultset.EventDial, detail)
}

// GaveUp implements netsim.Observer.
func (r *recorder) GaveUp(c netsim.ConnInfo) { r.add(resultset.EventGiveUp, string(c.Local)) }

// trace returns the events up to end as offsets from the fault at t0.
func (r *recorder) trace(t0, end time.Time) []resultset.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	trace := make([]resultset.Event, 0, len(r.events))
	for _, e := range r.events {
		if e.at.After(end) {
			break
		}
		trace = append(trace, resultset.Event{At: e.at.Sub(t0), Kind: e.kind, Detail: e.info})
	}
	return trace
}
