package resultset

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/perf/benchfmt"
)

// Benchmark kinds: the base of a benchmark name.
const (
	Reconnect = "Reconnect" // a cell of the reconnect matrix, one restart cycle per iteration
	Replay    = "Replay"    // replay throughput on the real clock (testing.B)
	Transport = "Transport" // transport throughput on the real clock (testing.B)
)

// A Name is a benchmark name split the way benchstat splits it: a base
// and "key=value" parts, without the "Benchmark" prefix of a results line
// and without the GOMAXPROCS suffix ("-2") testing.B adds. Benchstat's
// -col and -row take the keys (/strategy, /fault, ...), so every parameter
// that varies within a run is a key.
type Name struct {
	Base string
	Keys []Key // in the order of the name
}

// A Key is one "key=value" part of a benchmark name.
type Key struct{ Key, Value string }

// ParseName splits a benchmark name. It accepts the name with or without
// "Benchmark" and a GOMAXPROCS suffix; every part after the base must be
// key=value with a key made of letters, digits, '-' and '_'.
func ParseName(name string) (Name, error) {
	base, parts := benchfmt.Name(strings.TrimPrefix(name, "Benchmark")).Parts()
	n := Name{Base: string(base)}
	if n.Base == "" {
		return n, fmt.Errorf("benchmark name %q has no base", name)
	}
	for _, p := range parts {
		if p[0] == '-' {
			continue // GOMAXPROCS, which benchfmt splits off last
		}
		k, v, ok := strings.Cut(string(p[1:]), "=")
		if !ok || !validKey(k) {
			return n, fmt.Errorf("benchmark name %q: part %q is not key=value", name, p[1:])
		}
		n.Keys = append(n.Keys, Key{k, v})
	}
	return n, nil
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// String returns the name as benchfmt writes it after "Benchmark".
func (n Name) String() string {
	var b strings.Builder
	b.WriteString(n.Base)
	for _, k := range n.Keys {
		b.WriteString("/" + k.Key + "=" + k.Value)
	}
	return b.String()
}

// BenchPattern returns the -test.bench pattern that selects this benchmark
// alone.
func (n Name) BenchPattern() string {
	parts := []string{"^" + regexp.QuoteMeta("Benchmark"+n.Base) + "$"}
	for _, k := range n.Keys {
		parts = append(parts, "^"+regexp.QuoteMeta(k.Key+"="+k.Value)+"$")
	}
	return strings.Join(parts, "/")
}

// Get returns the value of key k, or "" if the name has none.
func (n Name) Get(k string) string {
	for _, kv := range n.Keys {
		if kv.Key == k {
			return kv.Value
		}
	}
	return ""
}

// A Cell is one cell of the reconnect matrix: the values of the keys of
// its name. Cells are comparable, so they key maps.
type Cell struct {
	Strategy string
	Fault    string
	Traffic  string
	// Downtime is how long the server stays away, and Quiet how long the
	// client was quiet between its first replay and the fault.
	Downtime time.Duration
	Quiet    time.Duration
	// Client is how the client builds its channel: "dial" (grpc.Dial) or
	// "newclient" (grpc.NewClient).
	Client string
	// Resolver is the name resolver of the client's target: "passthrough"
	// (the address itself, which the client never learns anew) or "dns"
	// (gRPC-Go's dns resolver, served by a DNS server on the simulated
	// network).
	Resolver string
	// Backends is how many server hosts the service has, each at an
	// address of its own, and Policy the client's load-balancing policy
	// over them: "pick_first" or "round_robin".
	Backends int
	Policy   string
}

// The values a name lacking a key reads as: results files written before
// the key existed measured only these.
const (
	AbsentDowntime = time.Second
	AbsentQuiet    = 2 * time.Second
	AbsentClient   = "dial"
	AbsentResolver = "passthrough"
	AbsentBackends = 1
	AbsentPolicy   = "pick_first"
)

// NewCell returns the cell of strategy, fault and traffic in the situation
// that names without the newer keys read as: downtime AbsentDowntime,
// quiet AbsentQuiet, client AbsentClient, one backend behind the
// passthrough resolver with pick_first.
func NewCell(strategy, fault, traffic string) Cell {
	return Cell{Strategy: strategy, Fault: fault, Traffic: traffic, Downtime: AbsentDowntime, Quiet: AbsentQuiet, Client: AbsentClient,
		Resolver: AbsentResolver, Backends: AbsentBackends, Policy: AbsentPolicy}
}

// cellKey is a key of a Reconnect name. The keys are listed once, here:
// formatting, parsing and the short form all follow this table, so a new
// parameter of the cycle is a field of Cell and a row below.
type cellKey struct {
	key    string
	format func(Cell) string
	parse  func(c *Cell, v string) error
	// older spellings the reader still accepts, so that results files
	// written before a rename keep working
	old []string
	// absent is the value of a name that lacks the key, written before
	// the key existed; "" if every name must have it
	absent string
	// labelled keys are shown as key=value in the short forms, because
	// their values do not say what they are (a duration could be either
	// the downtime or the quiet time)
	labelled bool
}

// stringKey is a key whose value is a string field of Cell.
func stringKey(key string, field func(*Cell) *string) cellKey {
	return cellKey{
		key:    key,
		format: func(c Cell) string { return *field(&c) },
		parse:  func(c *Cell, v string) error { *field(c) = v; return nil },
	}
}

// durationKey is a key whose value is a duration field of Cell, written as
// time.Duration's String writes it (1s, 30s, 5m0s, 45m0s). Only that
// spelling parses, so that a name and its cell are each other's inverse:
// 60s or 1m would be the same duration under another name.
func durationKey(key string, field func(*Cell) *time.Duration) cellKey {
	return cellKey{
		key:    key,
		format: func(c Cell) string { return field(&c).String() },
		parse: func(c *Cell, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("%q is not a duration such as 1s, 30s or 5m0s", v)
			}
			if d.String() != v {
				return fmt.Errorf("%q: write the duration as %s", v, d)
			}
			*field(c) = d
			return nil
		},
		labelled: true,
	}
}

// countKey is a key whose value is a count of at least 1, an int field of
// Cell, written in decimal without sign or leading zeros, so that each
// count has one name.
func countKey(key string, field func(*Cell) *int) cellKey {
	return cellKey{
		key:    key,
		format: func(c Cell) string { return strconv.Itoa(*field(&c)) },
		parse: func(c *Cell, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("%q is not a count such as 1 or 3", v)
			}
			if strconv.Itoa(n) != v {
				return fmt.Errorf("%q: write the count as %d", v, n)
			}
			*field(c) = n
			return nil
		},
		labelled: true,
	}
}

var cellKeys = []cellKey{
	stringKey("strategy", func(c *Cell) *string { return &c.Strategy }),
	withOld(stringKey("fault", func(c *Cell) *string { return &c.Fault }), "scenario"),
	stringKey("traffic", func(c *Cell) *string { return &c.Traffic }),
	withAbsent(durationKey("downtime", func(c *Cell) *time.Duration { return &c.Downtime }), AbsentDowntime.String()),
	withAbsent(durationKey("quiet", func(c *Cell) *time.Duration { return &c.Quiet }), AbsentQuiet.String()),
	withAbsent(stringKey("client", func(c *Cell) *string { return &c.Client }), AbsentClient),
	withAbsent(stringKey("resolver", func(c *Cell) *string { return &c.Resolver }), AbsentResolver),
	withAbsent(countKey("backends", func(c *Cell) *int { return &c.Backends }), strconv.Itoa(AbsentBackends)),
	withAbsent(stringKey("policy", func(c *Cell) *string { return &c.Policy }), AbsentPolicy),
}

func withOld(k cellKey, old ...string) cellKey { k.old = old; return k }

func withAbsent(k cellKey, v string) cellKey { k.absent = v; return k }

// CellKeys returns the keys of a Reconnect name, in the order of the name.
func CellKeys() []string {
	keys := make([]string, len(cellKeys))
	for i, k := range cellKeys {
		keys[i] = k.key
	}
	return keys
}

// Name returns the cell's benchmark name. It carries every key.
func (c Cell) Name() Name {
	n := Name{Base: Reconnect}
	for _, k := range cellKeys {
		n.Keys = append(n.Keys, Key{k.key, k.format(c)})
	}
	return n
}

// String returns the cell's benchmark name, without "Benchmark".
func (c Cell) String() string { return c.Name().String() }

// Values returns the values of the cell's keys in the order of the name,
// such as ["watcher", "crash", "idle", "1s", "2s", "dial"].
func (c Cell) Values() []string {
	vs := make([]string, len(cellKeys))
	for i, k := range cellKeys {
		vs[i] = k.format(c)
	}
	return vs
}

// Check reports a value that a name cannot carry: an empty one, or one
// with a slash or white space, which would split it, or ending in a
// hyphen and digits, which reads as a GOMAXPROCS suffix.
func (c Cell) Check() error {
	for _, k := range cellKeys {
		v := k.format(c)
		if err := checkValue(v); err != nil {
			return fmt.Errorf("%s %w", k.key, err)
		}
		var back Cell
		if err := k.parse(&back, v); err != nil {
			return fmt.Errorf("%s %w", k.key, err) // a count below 1
		}
	}
	return nil
}

func checkValue(v string) error {
	switch {
	case v == "":
		return fmt.Errorf("is empty")
	case strings.ContainsRune(v, '/') || strings.IndexFunc(v, unicode.IsSpace) >= 0:
		return fmt.Errorf("%q: a value of a benchmark name cannot hold a slash or white space", v)
	}
	if prefix, procs := benchfmt.Name(v).Parts(); len(procs) > 0 && len(prefix) < len(v) {
		return fmt.Errorf("%q: a value of a benchmark name cannot end in a hyphen and digits", v)
	}
	return nil
}

// shown is how the short forms show key k's value v: labelled keys as
// key=value.
func (k cellKey) shown(v string) string {
	if k.labelled {
		return k.key + "=" + v
	}
	return v
}

// Short returns the cell's values separated by spaces, as tables show a
// cell: "watcher crash idle". Keys that names may lack are shown only
// where the value differs from what such a name reads as, so that tables
// of results from before those keys look as they did, and every cell
// still reads differently: "watcher crash idle downtime=30s newclient".
func (c Cell) Short() string { return c.short(true) }

// ShortSituation is Short without the strategy: "crash idle",
// "move idle dns round_robin", the situation as a figure labels it.
func (c Cell) ShortSituation() string { return c.short(false) }

func (c Cell) short(strategy bool) string {
	var vs []string
	for _, k := range cellKeys {
		v := k.format(c)
		if k.absent != "" && v == k.absent || k.key == "strategy" && !strategy {
			continue
		}
		vs = append(vs, k.shown(v))
	}
	return strings.Join(vs, " ")
}

// Situation returns the values of every key of the cell other than the
// strategy, separated by slashes, such as
// "crash/idle/downtime=1s/quiet=2s/dial": what a strategy faced, which
// every finding about it names.
func (c Cell) Situation() string {
	var vs []string
	for _, k := range cellKeys {
		if k.key != "strategy" {
			vs = append(vs, k.shown(k.format(c)))
		}
	}
	return strings.Join(vs, "/")
}

// Cell returns the reconnect cell the name identifies. Every key of the
// cell must be there once, with a value, except those that names written
// before the key existed lack: such a name reads as the value those runs
// had (downtime 1s, quiet 2s, client dial). Keys that no cell has are
// errors, so that a typo never passes for another cell.
func (n Name) Cell() (Cell, error) {
	var c Cell
	if n.Base != Reconnect {
		return c, fmt.Errorf("benchmark %s is not a reconnect cell (want Benchmark%s/...)", n, Reconnect)
	}
	seen := make([]bool, len(cellKeys))
	for _, kv := range n.Keys {
		i := cellKeyIndex(kv.Key)
		switch {
		case i < 0:
			return c, fmt.Errorf("benchmark %s: unknown key %q (valid: %s)", n, kv.Key, strings.Join(CellKeys(), ", "))
		case seen[i]:
			return c, fmt.Errorf("benchmark %s: key %s given twice", n, cellKeys[i].key)
		case kv.Value == "":
			return c, fmt.Errorf("benchmark %s: key %s has no value", n, kv.Key)
		}
		seen[i] = true
		if err := cellKeys[i].parse(&c, kv.Value); err != nil {
			return c, fmt.Errorf("benchmark %s: key %s: %w", n, cellKeys[i].key, err)
		}
	}
	for i, ok := range seen {
		if ok {
			continue
		}
		k := cellKeys[i]
		if k.absent == "" {
			return c, fmt.Errorf("benchmark %s lacks key %s (a reconnect cell has %s)", n, k.key, strings.Join(CellKeys(), ", "))
		}
		if err := k.parse(&c, k.absent); err != nil {
			panic("resultset: the absent value of key " + k.key + " does not parse: " + err.Error())
		}
	}
	if err := c.Check(); err != nil {
		return c, fmt.Errorf("benchmark %s: %w", n, err)
	}
	return c, nil
}

func cellKeyIndex(key string) int {
	for i, k := range cellKeys {
		if k.key == key {
			return i
		}
		for _, old := range k.old {
			if old == key {
				return i
			}
		}
	}
	return -1
}

// ParseCell returns the reconnect cell named name, which may carry the
// "Benchmark" prefix and a GOMAXPROCS suffix.
func ParseCell(name string) (Cell, error) {
	n, err := ParseName(name)
	if err != nil {
		return Cell{}, err
	}
	return n.Cell()
}
