package netsim

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// defaultBuffer bounds the bytes in flight in one direction of a connection,
// standing in for the kernel's socket buffers: a writer that gets this far
// ahead of its reader blocks, which is what gives HTTP/2 flow control and
// bandwidth limits something to push against.
const defaultBuffer = 1 << 20

// mark records when the bytes written up to a cumulative offset reach the
// reader. Marks exist only on shaped links; on an unshaped link every byte is
// deliverable as soon as it is written.
type mark struct {
	end int64     // cumulative offset of the last byte of the write
	at  time.Time // delivery time of those bytes
}

// pipe carries bytes in one direction of a connection.
//
// Every wait is a sync.Cond wait and every wake-up comes from another
// goroutine or a time.AfterFunc timer, so a goroutine blocked here is durably
// blocked in the sense of testing/synctest and the bubble's fake clock can
// advance past link latency and deadlines.
type pipe struct {
	mu   sync.Mutex
	cond sync.Cond // broadcast on every state change; readers and writers re-check

	link Profile

	// buf is a ring of bytes in flight: byte k of the stream is at
	// buf[(k-origin)%len(buf)], and the unread bytes are those from read
	// to written. Its size is the limit on bytes in flight.
	buf     []byte
	origin  int64  // the stream offset at buf[0]; moves to read when all is read
	written int64  // cumulative bytes written
	ready   int64  // cumulative offset up to which bytes are deliverable
	read    int64  // cumulative bytes read
	marks   []mark // pending deliveries, ordered by at
	txFree  time.Time
	wake    *time.Timer // fires at marks[0].at
	wakeFor time.Time

	eof     bool  // the writer closed: the reader sees io.EOF after draining
	rerr    error // reads fail with this (local close or reset)
	werr    error // writes fail with this (local close, peer gone, or reset)
	dropped bool  // blackholed: writes vanish, reads never see data again

	rdl, wdl       time.Time // deadlines; zero means none
	rTimer, wTimer *time.Timer
	// rclosed and wclosed record that the local end closed the reading or
	// writing side: its deadlines can no longer be set, as on a closed
	// socket, so no timer keeps a closed pipe reachable.
	rclosed, wclosed bool
}

func newPipe(link Profile) *pipe {
	// The buffer is reserved in full up front, as bufconn reserves its own
	// and as a socket has its buffer budget: a Write never grows it or
	// moves bytes within it, nothing is allocated with the pipe locked,
	// and a connection's memory is known from the start. It is also live
	// heap, which the GC paces itself on (with a floor of 4 MiB): holding
	// only the bytes in flight kept a gRPC process over netsim at that
	// floor, with 1.7 times as many GC cycles per message as over bufconn,
	// and the comparison of the two measured the GC (README, Throughput).
	p := &pipe{link: link, buf: make([]byte, defaultBuffer)}
	p.cond.L = &p.mu
	return p
}

func (p *pipe) broadcast() {
	p.mu.Lock()
	p.cond.Broadcast()
	p.mu.Unlock()
}

// expired reports whether deadline d has passed. The caller holds p.mu.
func expired(d time.Time) bool {
	return !d.IsZero() && !time.Now().Before(d)
}

// Read copies deliverable bytes into b, waiting until there are some.
func (p *pipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.rerr != nil {
			return 0, p.rerr
		}
		if expired(p.rdl) {
			return 0, os.ErrDeadlineExceeded
		}
		if !p.dropped {
			p.deliver()
			if avail := p.ready - p.read; avail > 0 {
				if int64(len(b)) > avail {
					b = b[:avail]
				}
				i := p.index(p.read)
				n := copy(b, p.buf[i:])
				n += copy(b[n:], p.buf) // the part that wrapped around
				p.consume(n)
				return n, nil
			}
			if p.eof && p.written == p.read {
				return 0, io.EOF
			}
		}
		if len(b) == 0 {
			return 0, nil
		}
		p.cond.Wait()
	}
}

// index returns where byte k of the stream is in buf.
func (p *pipe) index(k int64) int { return int((k - p.origin) % int64(len(p.buf))) }

// consume frees the space of n read bytes. The caller holds p.mu.
func (p *pipe) consume(n int) {
	p.read += int64(n)
	if p.read == p.written {
		// The common case when the reader keeps up: the next write goes
		// to the start of the buffer again, whose first bytes are still
		// in the CPU's caches, rather than on around a ring larger than
		// they are.
		p.origin = p.read
	}
	p.cond.Broadcast() // a writer may be waiting for room
}

// deliver advances p.ready past every mark that is due and arms a timer for
// the next one. The caller holds p.mu.
func (p *pipe) deliver() {
	if len(p.marks) == 0 {
		return
	}
	now := time.Now()
	i := 0
	for i < len(p.marks) && !p.marks[i].at.After(now) {
		p.ready = p.marks[i].end
		i++
	}
	if i > 0 {
		n := copy(p.marks, p.marks[i:])
		p.marks = p.marks[:n]
	}
	if len(p.marks) == 0 {
		return
	}
	next := p.marks[0].at
	if p.wake != nil && p.wakeFor.Equal(next) {
		return
	}
	if p.wake != nil {
		p.wake.Stop()
	}
	p.wakeFor = next
	p.wake = time.AfterFunc(next.Sub(now), p.broadcast)
}

// Write appends b to the pipe, waiting while the buffer is full.
func (p *pipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for {
		if p.werr != nil {
			return n, p.werr
		}
		if expired(p.wdl) {
			return n, os.ErrDeadlineExceeded
		}
		if p.dropped {
			return len(b), nil // into the void, as far as the writer can tell
		}
		if n == len(b) {
			return n, nil
		}
		room := len(p.buf) - int(p.written-p.read)
		if room <= 0 {
			p.cond.Wait()
			continue
		}
		chunk := b[n:]
		if len(chunk) > room {
			chunk = chunk[:room]
		}
		i := p.index(p.written)
		if m := copy(p.buf[i:], chunk); m < len(chunk) {
			copy(p.buf, chunk[m:]) // wrap around
		}
		p.written += int64(len(chunk))
		n += len(chunk)
		p.schedule(len(chunk))
		p.cond.Broadcast()
	}
}

// schedule decides when the bytes just written become deliverable. The
// caller holds p.mu.
func (p *pipe) schedule(n int) {
	if p.link.Latency == 0 && p.link.Bandwidth == 0 {
		p.ready = p.written
		return
	}
	at := time.Now()
	if p.link.Bandwidth > 0 {
		// The link serialises bytes one write after another.
		if p.txFree.After(at) {
			at = p.txFree
		}
		at = at.Add(time.Duration(float64(n) / float64(p.link.Bandwidth) * float64(time.Second)))
		p.txFree = at
	}
	at = at.Add(p.link.Latency)
	p.marks = append(p.marks, mark{end: p.written, at: at})
	p.deliver()
}

// closeRead is the local end closing: reads fail, and a peer still writing
// finds the pipe broken.
func (p *pipe) closeRead(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rclosed = true
	p.rdl, p.rTimer = time.Time{}, p.arm(p.rTimer, time.Time{})
	if p.rerr == nil {
		p.rerr = err
	}
	if p.werr == nil && !p.dropped {
		p.werr = syscall.EPIPE
	}
	p.discard()
	p.cond.Broadcast()
}

// closeWrite is the local end closing its sending side: the peer reads what
// is buffered and then io.EOF, unless the link is blackholed and the FIN is
// lost with everything else.
func (p *pipe) closeWrite(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wclosed = true
	p.wdl, p.wTimer = time.Time{}, p.arm(p.wTimer, time.Time{})
	if p.werr == nil {
		p.werr = err
	}
	p.eof = true
	p.cond.Broadcast()
}

// reset fails both sides at once with err, as a RST does.
func (p *pipe) reset(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dropped {
		return // a RST sent into a blackhole is lost too
	}
	if p.rerr == nil {
		p.rerr = err
	}
	if p.werr == nil {
		p.werr = err
	}
	p.discard()
	p.cond.Broadcast()
}

// blackhole drops everything in flight and everything written from now on.
func (p *pipe) blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropped = true
	p.discard()
	p.cond.Broadcast()
}

// discard forgets undelivered bytes and frees the buffer: once the pipe is
// reset, blackholed or closed for reading, no byte is written to it again.
// The caller holds p.mu.
func (p *pipe) discard() {
	p.buf = nil
	p.read = p.written
	p.ready = p.written
	p.marks = nil
	if p.wake != nil {
		p.wake.Stop()
		p.wake = nil
	}
}

// setReadDeadline sets the deadline of reads, failing with net.ErrClosed
// once the local end has closed.
func (p *pipe) setReadDeadline(t time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rclosed {
		// gRPC-Go sets deadlines when it closes a transport, possibly after
		// the conn is closed; a timer armed now would keep the pipe and its
		// buffer reachable until it fired, for nothing.
		return net.ErrClosed
	}
	p.rdl = t
	p.rTimer = p.arm(p.rTimer, t)
	p.cond.Broadcast()
	return nil
}

// setWriteDeadline sets the deadline of writes, failing with net.ErrClosed
// once the local end has closed.
func (p *pipe) setWriteDeadline(t time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wclosed {
		return net.ErrClosed
	}
	p.wdl = t
	p.wTimer = p.arm(p.wTimer, t)
	p.cond.Broadcast()
	return nil
}

// arm replaces timer old with one that wakes waiters at t, so that a blocked
// Read or Write notices its deadline. The caller holds p.mu.
func (p *pipe) arm(old *time.Timer, t time.Time) *time.Timer {
	if old != nil {
		old.Stop()
	}
	if t.IsZero() {
		return nil
	}
	return time.AfterFunc(time.Until(t), p.broadcast)
}
