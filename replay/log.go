package replay

import (
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

// parseEntry returns the sequence number of a well-formed entry.
func parseEntry(b []byte) (uint64, error) {
	if len(b) < minEntrySize {
		return 0, fmt.Errorf("entry of %d bytes is shorter than %d", len(b), minEntrySize)
	}
	seq := binary.BigEndian.Uint64(b)
	for i := minEntrySize; i < len(b); i++ {
		if b[i] != filler(seq, i) {
			return 0, fmt.Errorf("entry %d is corrupt at byte %d", seq, i)
		}
	}
	return seq, nil
}
