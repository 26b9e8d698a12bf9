package plots

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/reconnbench/reconnbench/resultset"
)

// A situation is a family of cells a user recognises as theirs: a kind of
// fault, how long the server is away, what the client does, and how it
// was built. The advice table has a row per situation the results hold.
type situation struct {
	name string
	has  func(c resultset.Cell) bool
	// spurious marks the situations where the server keeps its state, so
	// that no replay is needed and the question is whether the strategy
	// replays anyway.
	spurious bool
}

// base reports whether c is in the base situation's conditions: a 1 s
// outage after 2 s of quiet, with grpc.Dial.
func base(c resultset.Cell) bool {
	a := resultset.NewCell("", "", "")
	return c.Downtime == a.Downtime && c.Quiet == a.Quiet && c.Client == a.Client
}

func isRestart(c resultset.Cell) bool {
	return c.Fault == "crash" || c.Fault == "graceful" || c.Fault == "flap"
}

var situations = []situation{
	{name: "process restart (crash, graceful, flap), 1 s away, idle client", has: func(c resultset.Cell) bool { return base(c) && isRestart(c) && c.Traffic == "idle" }},
	{name: "process restart, 1 s away, busy client or one holding a stream", has: func(c resultset.Cell) bool {
		return base(c) && isRestart(c) && (c.Traffic == "busy" || c.Traffic == "stream")
	}},
	{name: "process restart, 1 s away, one RPC during the outage and none after", has: func(c resultset.Cell) bool { return base(c) && isRestart(c) && c.Traffic == "rare" }},
	{name: "process restart, 30 s away (a rolling deploy)", has: func(c resultset.Cell) bool { return c.Downtime == 30*time.Second && isRestart(c) }},
	{name: "process restart, 5 min away (an outage)", has: func(c resultset.Cell) bool { return c.Downtime == 5*time.Minute && isRestart(c) }},
	{name: "process restart after 45 min of quiet", has: func(c resultset.Cell) bool { return c.Quiet >= 30*time.Minute && isRestart(c) }},
	{name: "process restart, grpc.NewClient instead of grpc.Dial", has: func(c resultset.Cell) bool { return c.Client == "newclient" && isRestart(c) }},
	{name: "server vanishes without closing connections (blackhole), 1 s away", has: func(c resultset.Cell) bool { return base(c) && c.Fault == "blackhole" }},
	{name: "server vanishes, 30 s or 5 min away", has: func(c resultset.Cell) bool { return c.Downtime > time.Second && c.Fault == "blackhole" }},
	{name: "the server ends connections on purpose (rotate) and keeps its state", has: func(c resultset.Cell) bool { return c.Fault == "rotate" }, spurious: true},
}

// verdict is how a strategy fared in a situation on one release.
type verdict struct {
	cells, failing int // cells measured, and those that missed or replayed spuriously
	spurious       float64
	na             bool // no cell applies to the release
}

func (v verdict) String() string {
	switch {
	case v.na:
		return "n/a"
	case v.cells == 0:
		return "–"
	case v.failing == 0:
		return "✓"
	case v.failing == v.cells:
		return "✗"
	}
	return fmt.Sprintf("✗ %d/%d", v.failing, v.cells)
}

// judgeSituation says how strategy s fared in situation st on run r:
// whether every cycle of every cell recovered (or, where no replay is
// needed, whether none replayed anyway).
func judgeSituation(r *resultset.Run, s string, st situation) verdict {
	var v verdict
	na := 0
	for c, smp := range r.Cells {
		if c.Strategy != s || !st.has(c) {
			continue
		}
		if smp.Inapplicable() {
			na++
			continue
		}
		v.cells++
		k, _ := smp.Count(resultset.UnitMissed)
		sp := 0.0
		if xs := smp.Values(resultset.UnitSpurious); len(xs) > 0 {
			sp = resultset.Mean(xs)
		}
		v.spurious = math.Max(v.spurious, sp)
		if k > 0 || st.spurious && sp > 0 {
			v.failing++
		}
	}
	v.na = v.cells == 0 && na > 0
	return v
}

// adviceCell summarises a strategy in a situation across releases: "✓"
// when it recovered every cycle on every release, or the stretches of
// releases it fared alike, such as "✓ to v1.40.1, ✗ from v1.41.0", with
// the most spurious replays per cycle where there were any.
func adviceCell(runs []*resultset.Run, s string, st situation) string {
	type stretch struct {
		from, to string
		word     string
	}
	var ss []stretch
	spurious := 0.0
	for _, r := range runs {
		v := judgeSituation(r, s, st)
		w := v.String()
		if w == "–" {
			continue
		}
		spurious = math.Max(spurious, v.spurious)
		if n := len(ss); n > 0 && ss[n-1].word == w {
			ss[n-1].to = r.Label
			continue
		}
		ss = append(ss, stretch{r.Label, r.Label, w})
	}
	if len(ss) == 0 {
		return "–"
	}
	var parts []string
	for i, x := range ss {
		switch {
		case len(ss) == 1:
			parts = append(parts, x.word)
		case i == 0:
			parts = append(parts, x.word+" to "+x.to)
		case i == len(ss)-1:
			parts = append(parts, x.word+" from "+x.from)
		case x.from == x.to:
			parts = append(parts, x.word+" at "+x.from)
		default:
			parts = append(parts, x.word+" "+x.from+"–"+x.to)
		}
	}
	out := strings.Join(parts, ", ")
	if spurious > 0 {
		n := strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", spurious), "0"), ".")
		plural := "s"
		if n == "1" {
			plural = ""
		}
		out += fmt.Sprintf(" (up to %s spurious replay%s a cycle)", n, plural)
	}
	return out
}

// adviceTable is the markdown table of every situation the main series of
// d holds, a column per strategy.
func adviceTable(d *resultset.Set) string {
	runs := d.SeriesRuns()[0]
	var b strings.Builder
	b.WriteString("| situation |")
	for _, s := range d.Strategies {
		fmt.Fprintf(&b, " `%s` |", s)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(d.Strategies)) + "\n")
	rows := 0
	for _, st := range situations {
		present := false
		for _, r := range runs {
			for c := range r.Cells {
				present = present || st.has(c)
			}
		}
		if !present {
			continue
		}
		rows++
		fmt.Fprintf(&b, "| %s |", st.name)
		for _, s := range d.Strategies {
			fmt.Fprintf(&b, " %s |", adviceCell(runs, s, st))
		}
		b.WriteString("\n")
	}
	if rows == 0 {
		return ""
	}
	return b.String()
}
