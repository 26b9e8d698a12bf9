package bench

import (
	"sync"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
)

// dialObserver is a testbed's netsim.Observer: it traces the client's
// dials, with the address dialed where the service has several
// (withAddr), and its give-ups, and hands the accepted dials to its
// backendsReady, which makes the testbed an allReadier.
type dialObserver struct {
	rec      *recorder
	withAddr bool
	*backendsReady
}

// DialEnded implements netsim.Observer.
func (o dialObserver) DialEnded(d netsim.Dial) {
	o.rec.dial(d, o.withAddr)
	if d.Outcome == netsim.Accepted {
		o.accept(d.Addr, d.End)
	}
}

// GaveUp implements netsim.Observer.
func (o dialObserver) GaveUp(c netsim.ConnInfo) { o.rec.GaveUp(c) }

// allReadier is a testbed that tells when every backend of its service is
// ready again (backendsReady), for round_robin cells.
type allReadier interface {
	// AllReady returns a channel closed once every backend is ready
	// after since.
	AllReady(since time.Time) <-chan struct{}
	// AllReadyAt returns when every backend was ready again after since,
	// and whether it was.
	AllReadyAt(since time.Time) (time.Time, bool)
}

// backendsReady follows when the last instance of every backend of a
// service has accepted a connection of the client's: on the local link,
// the instant gRPC's subchannel to it turns READY. Only a policy that
// connects to every backend (round_robin) gets there. Its testbed tells
// it of every instance that starts (started), and its dialObserver of
// every dial the network accepted. Its methods are safe for concurrent
// use.
type backendsReady struct {
	mu       sync.Mutex
	began    []time.Time   // when each backend's last instance was built
	addrOf   []netsim.Addr // and where it listens
	accepted map[netsim.Addr][]time.Time
	waiters  []readyWaiter
}

// readyWaiter waits for every backend to be ready again after since.
type readyWaiter struct {
	since time.Time
	ch    chan struct{}
}

func newBackendsReady(backends int) *backendsReady {
	return &backendsReady{began: make([]time.Time, backends), addrOf: make([]netsim.Addr, backends),
		accepted: map[netsim.Addr][]time.Time{}}
}

// started notes that backend i's instance at addr began at.
func (r *backendsReady) started(i int, addr netsim.Addr, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.began[i], r.addrOf[i] = at, addr
	r.notifyLocked()
}

// addr returns where backend i's last instance listens.
func (r *backendsReady) addr(i int) netsim.Addr {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addrOf[i]
}

// accept notes a dial of the client's that addr accepted at at.
func (r *backendsReady) accept(addr netsim.Addr, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.accepted[addr] = append(r.accepted[addr], at)
	r.notifyLocked()
}

// AllReady implements allReadier.
func (r *backendsReady) AllReady(since time.Time) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := readyWaiter{since: since, ch: make(chan struct{})}
	r.waiters = append(r.waiters, w)
	r.notifyLocked()
	return w.ch
}

// AllReadyAt implements allReadier: every backend is ready again after
// since when the last instance of each has accepted a connection of the
// client's at or after since or, for an instance that started before
// since, at any time since it started (ready when the event began).
func (r *backendsReady) AllReadyAt(since time.Time) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.atLocked(since)
}

func (r *backendsReady) atLocked(since time.Time) (time.Time, bool) {
	var last time.Time
	for i, began := range r.began {
		if began.IsZero() {
			return last, false
		}
		var at time.Time
		for _, t := range r.accepted[r.addrOf[i]] {
			if !t.Before(began) {
				at = t
				break
			}
		}
		if at.IsZero() {
			return last, false
		}
		if at.Before(since) {
			at = since
		}
		if at.After(last) {
			last = at
		}
	}
	return last, true
}

// notifyLocked wakes the waiters whose moment has come.
func (r *backendsReady) notifyLocked() {
	kept := r.waiters[:0]
	for _, w := range r.waiters {
		if _, ok := r.atLocked(w.since); ok {
			close(w.ch)
			continue
		}
		kept = append(kept, w)
	}
	r.waiters = kept
}
