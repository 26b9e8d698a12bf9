package replay

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Defaults for a client's log.
const (
	DefaultEntries   = 1000
	DefaultEntrySize = 256
)

// minEntrySize leaves room for the sequence number.
const minEntrySize = 8

// Log is a client's state: the registrations it must replay to every fresh
// server. Entry i carries its index in its first 8 bytes and a filler
// derived from the index in the rest, so a server can tell a corrupted
// entry from a good one.
type Log struct {
	entries [][]byte
	size    int
}

// NewLog returns a log of n entries of size bytes each.
func NewLog(n, size int) (*Log, error) {
	if n <= 0 {
		return nil, fmt.Errorf("log entries %d: must be at least 1", n)
	}
	if size < minEntrySize {
		return nil, fmt.Errorf("log entry size %d: must be at least %d bytes", size, minEntrySize)
	}
	l := &Log{entries: make([][]byte, n), size: size}
	for i := range l.entries {
		l.entries[i] = entry(uint64(i), size)
	}
	return l, nil
}

// Len returns the number of entries.
func (l *Log) Len() int { return len(l.entries) }

// EntrySize returns the size of each entry in bytes.
func (l *Log) EntrySize() int { return l.size }

// Bytes returns the size of the whole log in bytes.
func (l *Log) Bytes() int64 { return int64(len(l.entries)) * int64(l.size) }

func entry(seq uint64, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint64(b, seq)
	for i := minEntrySize; i < size; i++ {
		b[i] = filler(seq, i)
	}
	return b
}

func filler(seq uint64, i int) byte { return byte(seq*31 + uint64(i)*7) }

// fillerCycle lets a server check an entry's filler with bytes.Equal
// instead of computing it byte by byte, which cost a fifth of the replay
// server's time. filler(seq, i) = byte(31*seq + 7*i) = byte(7*(i + 41*seq))
// because 7*41 = 287 = 31 mod 256, so every filler is the sequence
// byte(7*k) read from offset i + 41*seq, which repeats every 256 bytes:
// fillerCycle holds two periods, so any run of up to 256 bytes of it starts
// at an offset below 256.
var fillerCycle = func() (c [512]byte) {
	for k := range c {
		c[k] = byte(7 * k)
	}
	return c
}()

// fillerIntact reports whether b[minEntrySize:] is the filler of entry seq.
func fillerIntact(b []byte, seq uint64) bool {
	shift := int(byte(41 * seq))
	for i := minEntrySize; i < len(b); {
		n := min(len(b)-i, 256)
		k := (i + shift) & 255
		if !bytes.Equal(b[i:i+n], fillerCycle[k:k+n]) {
			return false
		}
		i += n
	}
	return true
}

// parseEntry returns the sequence number of a well-formed entry.
func parseEntry(b []byte) (uint64, error) {
	if len(b) < minEntrySize {
		return 0, fmt.Errorf("entry of %d bytes is shorter than %d", len(b), minEntrySize)
	}
	seq := binary.BigEndian.Uint64(b)
	if !fillerIntact(b, seq) {
		return 0, fmt.Errorf("entry %d is corrupt at byte %d", seq, firstDamaged(b, seq))
	}
	return seq, nil
}

// firstDamaged returns the index of the first byte of b that is not the
// filler of entry seq.
func firstDamaged(b []byte, seq uint64) int {
	for i := minEntrySize; i < len(b); i++ {
		if b[i] != filler(seq, i) {
			return i
		}
	}
	return len(b)
}
