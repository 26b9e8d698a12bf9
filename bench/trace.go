package bench

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
)

// Event kinds in a cycle's trace.
const (
	EventState       = "state"        // the channel's connectivity state changed (Detail: the state)
	EventDial        = "dial"         // a dial attempt ended (Detail: its outcome)
	EventGiveUp      = "give-up"      // the client closed a connection (Detail: its local address)
	EventFault       = "fault"        // the fault was injected (Detail: its name)
	EventServerUp    = "server-up"    // a server instance started (Detail: its generation)
	EventReplayStart = "replay-start" // the strategy triggered a replay
	EventReplayEnd   = "replay-end"   // a replay RPC ended (Detail: "ok" or the error)
	EventLost        = "lost"         // the strategy reported the connection lost
	EventRecovered   = "recovered"    // a replay completed on the final server instance
)

// Event is one moment of a restart cycle.
type Event struct {
	At     time.Duration // since the fault; negative before it
	Kind   string
	Detail string
}

func (e Event) String() string { return fmt.Sprintf("%12v %-12s %s", e.At, e.Kind, e.Detail) }

// WriteTrace prints a trace one event a line.
func WriteTrace(w io.Writer, trace []Event) error {
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

// DialEnded implements netsim.Observer.
func (r *recorder) DialEnded(d netsim.Dial) {
	detail := d.Outcome.String()
	if d.Outcome == netsim.TimedOut {
		detail += " after " + d.End.Sub(d.Start).String()
	}
	r.add(EventDial, detail)
}

// GaveUp implements netsim.Observer.
func (r *recorder) GaveUp(c netsim.ConnInfo) { r.add(EventGiveUp, string(c.Local)) }

// trace returns the events up to end as offsets from the fault at t0.
func (r *recorder) trace(t0, end time.Time) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	trace := make([]Event, 0, len(r.events))
	for _, e := range r.events {
		if e.at.After(end) {
			break
		}
		trace = append(trace, Event{At: e.at.Sub(t0), Kind: e.kind, Detail: e.info})
	}
	return trace
}
