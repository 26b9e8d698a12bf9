package bench

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
)

// Event kinds in a cycle's trace.
const (
	EventState       = "state"        // the channel's connectivity state changed (Detail: the state)
	EventDial        = "dial"         // a dial attempt began (Detail: its outcome)
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

// recorder collects the events the harness sees as they happen; events the
// network recorded are merged in at the end.
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

// trace returns the events up to end, with the network's dials and
// give-ups and the server's starts, as offsets from the fault at t0.
func (r *recorder) trace(t0, end time.Time, n *netsim.Network, starts []time.Time) []Event {
	r.mu.Lock()
	all := append([]stamped(nil), r.events...)
	r.mu.Unlock()
	for _, d := range n.Dials() {
		all = append(all, stamped{d.Start, EventDial, d.Outcome.String()})
	}
	for _, c := range n.Conns() {
		if !c.Closed.IsZero() {
			all = append(all, stamped{c.Closed, EventGiveUp, string(c.Local)})
		}
	}
	for i, s := range starts {
		all = append(all, stamped{s, EventServerUp, fmt.Sprint(i + 1)})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	trace := make([]Event, 0, len(all))
	for _, e := range all {
		if e.at.After(end) {
			break
		}
		trace = append(trace, Event{At: e.at.Sub(t0), Kind: e.kind, Detail: e.info})
	}
	return trace
}
