package bench

import (
	"time"

	"github.com/reconnbench/reconnbench/netsim"
)

// backendsReady follows when the last instance of every backend of a
// service has accepted a connection of the client's: on the local link,
// the instant gRPC's subchannel to it turns READY. Only a policy that
// connects to every backend (round_robin) gets there. Its owner, a
// testbed, tells it of every instance that starts and every dial the
// network accepted, and serialises its calls.
type backendsReady struct {
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

func newBackendsReady(backends int) backendsReady {
	return backendsReady{began: make([]time.Time, backends), addrOf: make([]netsim.Addr, backends),
		accepted: map[netsim.Addr][]time.Time{}}
}

// started notes that backend i's instance at addr began at.
func (r *backendsReady) started(i int, addr netsim.Addr, at time.Time) {
	r.began[i], r.addrOf[i] = at, addr
	r.notify()
}

// accept notes a dial of the client's that addr accepted at at.
func (r *backendsReady) accept(addr netsim.Addr, at time.Time) {
	r.accepted[addr] = append(r.accepted[addr], at)
	r.notify()
}

// wait returns a channel closed once every backend is ready after since
// (see at).
func (r *backendsReady) wait(since time.Time) <-chan struct{} {
	w := readyWaiter{since: since, ch: make(chan struct{})}
	r.waiters = append(r.waiters, w)
	r.notify()
	return w.ch
}

// notify wakes the waiters whose moment has come.
func (r *backendsReady) notify() {
	kept := r.waiters[:0]
	for _, w := range r.waiters {
		if _, ok := r.at(w.since); ok {
			close(w.ch)
			continue
		}
		kept = append(kept, w)
	}
	r.waiters = kept
}

// at returns when every backend was ready again after since, and whether
// it was: when the last of them had accepted a connection of the
// client's at or after since or, for an instance that started before
// since, at any time since it started (ready when the event began).
func (r *backendsReady) at(since time.Time) (time.Time, bool) {
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
