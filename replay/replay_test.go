package replay

import (
	"bytes"
	"strings"
	"testing"
)

func TestLog(t *testing.T) {
	l, err := NewLog(3, 16)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 3 || l.EntrySize() != 16 || l.Bytes() != 48 {
		t.Fatalf("Len, EntrySize, Bytes = %d, %d, %d; want 3, 16, 48", l.Len(), l.EntrySize(), l.Bytes())
	}
	for i, e := range l.entries {
		seq, err := parseEntry(e)
		if err != nil || seq != uint64(i) {
			t.Errorf("entry %d parses as %d, %v", i, seq, err)
		}
	}
	if bytes.Equal(l.entries[1][8:], l.entries[2][8:]) {
		t.Error("entries 1 and 2 have the same filler: corruption that swaps them would go unnoticed")
	}
}

// TestFillerIntact checks the table-driven filler check against the
// definition, for entries shorter and longer than the table's period, at
// every position.
func TestFillerIntact(t *testing.T) {
	for _, size := range []int{8, 9, 100, 255, 256, 263, 264, 265, 1000, 4096} {
		for _, seq := range []uint64{0, 1, 2, 7, 41, 255, 256, 1000, 1<<40 + 3} {
			e := entry(seq, size)
			if !fillerIntact(e, seq) {
				t.Errorf("entry %d of %d bytes: fillerIntact rejects a good entry", seq, size)
			}
			for i := minEntrySize; i < size; i++ {
				e[i]++
				if fillerIntact(e, seq) {
					t.Errorf("entry %d of %d bytes: fillerIntact accepts damage at byte %d", seq, size, i)
				}
				e[i]--
			}
			if size > minEntrySize && fillerIntact(e, seq+1) {
				t.Errorf("entry %d of %d bytes: fillerIntact accepts it as entry %d", seq, size, seq+1)
			}
		}
	}
}

func TestNewLogRejects(t *testing.T) {
	for _, tc := range []struct {
		n, size int
		want    string
	}{
		{0, 256, "log entries 0: must be at least 1"},
		{-5, 256, "log entries -5: must be at least 1"},
		{10, 7, "log entry size 7: must be at least 8 bytes"},
	} {
		if _, err := NewLog(tc.n, tc.size); err == nil || err.Error() != tc.want {
			t.Errorf("NewLog(%d, %d) = %v, want %q", tc.n, tc.size, err, tc.want)
		}
	}
}

func TestParseEntryRejectsDamage(t *testing.T) {
	good := entry(7, 32)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short", good[:5], "shorter than 8"},
		{"flipped filler", func() []byte { b := bytes.Clone(good); b[20] ^= 1; return b }(), "entry 7 is corrupt at byte 20"},
		{"wrong sequence", func() []byte { b := bytes.Clone(good); b[7] = 8; return b }(), "entry 8 is corrupt"},
	} {
		if _, err := parseEntry(tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: parseEntry = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestStoreTally(t *testing.T) {
	s := NewStore(4)
	for _, seq := range []uint64{0, 1, 1, 3, 3, 3} {
		s.add(entry(seq, 16))
	}
	s.add([]byte("garbage!garbage!"))
	s.replayEnded(false)
	select {
	case <-s.Complete():
		t.Fatal("complete without entry 2")
	default:
	}
	want := Tally{Lost: 1, Duplicated: 3, Corrupt: 1, Replays: 1}
	if got := s.Tally(4); got != want {
		t.Errorf("Tally = %+v, want %+v", got, want)
	}

	s.add(entry(2, 16))
	s.replayEnded(false)
	select {
	case <-s.Complete():
	default:
		t.Fatal("not complete with every entry")
	}
	if s.CompletedAt().IsZero() {
		t.Error("CompletedAt is zero after completion")
	}
	s.replayEnded(true) // a later replay must not close Complete twice
	if s.Spurious() != 1 {
		t.Errorf("Spurious() = %d after one spurious replay", s.Spurious())
	}
}

func TestCodec(t *testing.T) {
	c := rawCodec{}
	for _, v := range []interface{}{[]byte("abc"), &[]byte{1, 2}} {
		if _, err := c.Marshal(v); err != nil {
			t.Errorf("Marshal(%T): %v", v, err)
		}
	}
	if _, err := c.Marshal("abc"); err == nil || !strings.Contains(err.Error(), "cannot marshal string") {
		t.Errorf("Marshal(string) = %v, want an error naming the type", err)
	}
	data := []byte("payload")
	var out []byte
	if err := c.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	data[0] = 'X' // gRPC may reuse its buffer
	if string(out) != "payload" {
		t.Errorf("Unmarshal kept a reference to gRPC's buffer: %q", out)
	}
	if err := c.Unmarshal(data, out); err == nil {
		t.Error("Unmarshal into a non-pointer succeeded")
	}
}
