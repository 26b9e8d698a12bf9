package replay

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// Store is a server instance's application state: the entries it has
// received. A fresh instance has an empty store, and an identity of its
// own.
type Store struct {
	identity string // fixed at NewStore

	mu       sync.Mutex
	copies   []int32        // copies of entry seq, for seq < want: replays are hot
	strays   map[uint64]int // copies of entries beyond want
	corrupt  int
	replays  int
	spurious int           // replays that began with the store complete
	onSpur   func()        // called after each spurious replay, if set
	complete time.Time     // when the store first held every entry of want
	want     int           // entries that make the store complete
	done     chan struct{} // closed at complete
	draining chan struct{} // closed by Drain
	drainOne sync.Once
}

// NewStore returns an empty store that counts as complete once it holds the
// entries 0 to want-1.
func NewStore(want int) *Store {
	return &Store{
		identity: newIdentity(),
		copies:   make([]int32, want),
		strays:   make(map[uint64]int),
		want:     want,
		done:     make(chan struct{}),
		draining: make(chan struct{}),
	}
}

func (s *Store) add(b []byte) {
	seq, err := parseEntry(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.corrupt++
		return
	}
	if seq < uint64(len(s.copies)) {
		s.copies[seq]++
	} else {
		s.strays[seq]++
	}
}

// newIdentity returns a random identity: 16 hex digits.
func newIdentity() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("replay: no randomness for a server identity: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// Identity returns the instance's identity, the epoch a client compares
// to tell one server instance from another: random, fixed when the store
// is made, which is when the instance starts.
func (s *Store) Identity() string { return s.identity }

// isComplete reports whether the store holds the whole log.
func (s *Store) isComplete() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.complete.IsZero()
}

// Spurious returns how many replays the store received that began when it
// already held the whole log: replays nobody needed.
func (s *Store) Spurious() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spurious
}

// OnSpurious makes f run after each spurious replay ends, outside the
// store's lock; a server process uses it to report them as they happen.
func (s *Store) OnSpurious(f func()) {
	s.mu.Lock()
	s.onSpur = f
	s.mu.Unlock()
}

// replayEnded records the end of a replay stream: a replay is complete when
// the client has sent everything and the store holds the whole log.
// spurious says the replay began with the store already complete.
func (s *Store) replayEnded(spurious bool) {
	s.mu.Lock()
	var hook func()
	if spurious {
		s.spurious++
		hook = s.onSpur
	}
	defer func() {
		s.mu.Unlock()
		if hook != nil {
			hook()
		}
	}()
	s.replays++
	if !s.complete.IsZero() {
		return
	}
	for _, c := range s.copies {
		if c == 0 {
			return
		}
	}
	s.complete = time.Now()
	close(s.done)
}

// Complete returns a channel closed when a replay completes the store.
func (s *Store) Complete() <-chan struct{} { return s.done }

// CompletedAt returns when a replay completed the store, or the zero time.
func (s *Store) CompletedAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.complete
}

// Drain ends the instance's subscriptions, as a server shutting down does.
func (s *Store) Drain() { s.drainOne.Do(func() { close(s.draining) }) }

// Tally compares the store with a log of n entries.
type Tally struct {
	Lost       int // entries of the log the store lacks
	Duplicated int // copies beyond the first of each entry
	Corrupt    int // entries received damaged
	Replays    int // replay streams that ended on this instance
}

// Tally compares the store with the log entries 0 to n-1.
func (s *Store) Tally(n int) Tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := Tally{Corrupt: s.corrupt, Replays: s.replays}
	for seq := 0; seq < n; seq++ {
		if s.count(uint64(seq)) == 0 {
			t.Lost++
		}
	}
	for _, c := range s.copies {
		if c > 1 {
			t.Duplicated += int(c) - 1
		}
	}
	for _, c := range s.strays {
		if c > 1 {
			t.Duplicated += c - 1
		}
	}
	return t
}

// held returns how many distinct entries the store holds.
func (s *Store) held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.strays)
	for _, c := range s.copies {
		if c > 0 {
			n++
		}
	}
	return n
}

// count returns how many copies of entry seq the store holds.
func (s *Store) count(seq uint64) int {
	if seq < uint64(len(s.copies)) {
		return int(s.copies[seq])
	}
	return s.strays[seq]
}
