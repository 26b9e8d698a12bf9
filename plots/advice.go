package plots

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/reconnbench/reconnbench/resultset"
)

// A situation is a family of cells a user recognises as theirs: a kind of
// fault, how long the server is away, what the client does, how it was
// built and the service it reaches. The advice table has a row per
// situation the results hold.
type situation struct {
	name string
	has  func(c resultset.Cell) bool
	// judge is what a cell of the situation must do to pass.
	judge judgement
	// service marks the situations of a service other than one backend
	// behind passthrough, or of a moved server: the report follows each
	// across releases (serviceSentences).
	service bool
}

// A judgement is what a situation's cells are judged by.
type judgement int

const (
	// recovers: every cycle's replay reached the server that lost the
	// state.
	recovers judgement = iota
	// noSpurious: the server keeps its state, so no replay is needed, and
	// none may be sent to a server that already holds the log.
	noSpurious
	// allReady: round_robin spreads the client over its backends, so no
	// replay measures it; in every cycle every backend must be READY
	// again. The share of a busy client's RPCs that failed is shown.
	allReady
)

// base reports whether c is in the base situation's conditions: a 1 s
// outage after 2 s of quiet, with grpc.Dial, reaching one backend through
// passthrough.
func base(c resultset.Cell) bool {
	a := resultset.NewCell("", "", "")
	return c.Downtime == a.Downtime && c.Quiet == a.Quiet && c.Client == a.Client && single(c)
}

// single reports whether c's service is the one backend behind
// passthrough.
func single(c resultset.Cell) bool {
	a := resultset.NewCell("", "", "")
	return c.Resolver == a.Resolver && c.Backends == a.Backends && c.Policy == a.Policy
}

func isRestart(c resultset.Cell) bool {
	return c.Fault == "crash" || c.Fault == "graceful" || c.Fault == "flap"
}

// The base conditions but the service: a 1 s outage (or the 30 s of a
// blackhole failover) after 2 s of quiet, with grpc.Dial.
func service(c resultset.Cell, resolver string, backends int, policy string) bool {
	a := resultset.NewCell("", "", "")
	return c.Quiet == a.Quiet && c.Client == a.Client && c.Resolver == resolver && c.Backends == backends && c.Policy == policy
}

var situations = []situation{
	{name: "process restart (crash, graceful, flap), 1 s away, idle client", has: func(c resultset.Cell) bool { return base(c) && isRestart(c) && c.Traffic == "idle" }},
	{name: "process restart, 1 s away, busy client or one holding a stream", has: func(c resultset.Cell) bool {
		return base(c) && isRestart(c) && (c.Traffic == "busy" || c.Traffic == "stream")
	}},
	{name: "process restart, 1 s away, one RPC during the outage and none after", has: func(c resultset.Cell) bool { return base(c) && isRestart(c) && c.Traffic == "rare" }},
	{name: "process restart, 30 s away (a deploy)", has: func(c resultset.Cell) bool { return single(c) && c.Downtime == 30*time.Second && isRestart(c) }},
	{name: "process restart, 5 min away (an outage)", has: func(c resultset.Cell) bool { return single(c) && c.Downtime == 5*time.Minute && isRestart(c) }},
	{name: "process restart after 45 min of quiet", has: func(c resultset.Cell) bool { return single(c) && c.Quiet >= 30*time.Minute && isRestart(c) }},
	{name: "process restart, grpc.NewClient instead of grpc.Dial", has: func(c resultset.Cell) bool { return single(c) && c.Client == "newclient" && isRestart(c) }},
	{name: "server vanishes without closing connections (blackhole), 1 s away", has: func(c resultset.Cell) bool { return base(c) && c.Fault == "blackhole" }},
	{name: "server vanishes, 30 s or 5 min away", has: func(c resultset.Cell) bool { return single(c) && c.Downtime > time.Second && c.Fault == "blackhole" }},
	{name: "the server ends connections on purpose (rotate) and keeps its state", has: func(c resultset.Cell) bool { return single(c) && c.Fault == "rotate" }, judge: noSpurious},
	{name: "server moves to a new address, target through passthrough", has: func(c resultset.Cell) bool { return c.Fault == "move" && service(c, "passthrough", 1, "pick_first") }, service: true},
	{name: "server moves to a new address, target through dns, pick_first", has: func(c resultset.Cell) bool { return c.Fault == "move" && service(c, "dns", 1, "pick_first") }, service: true},
	{name: "server moves to a new address, target through dns, round_robin", has: func(c resultset.Cell) bool { return c.Fault == "move" && service(c, "dns", 1, "round_robin") }, judge: allReady, service: true},
	{name: "pick_first over 3 backends (dns), the first crashes", has: func(c resultset.Cell) bool { return c.Fault == "crash" && service(c, "dns", 3, "pick_first") }, service: true},
	{name: "pick_first over 3 backends (dns), the first vanishes for 30 s", has: func(c resultset.Cell) bool { return c.Fault == "blackhole" && service(c, "dns", 3, "pick_first") }, service: true},
	{name: "round_robin over 3 backends (dns), restarted one after another (rolling)", has: func(c resultset.Cell) bool { return c.Fault == "rolling" && service(c, "dns", 3, "round_robin") }, judge: allReady, service: true},
}

// verdict is how a strategy fared in a situation on one release.
type verdict struct {
	cells, failing int     // cells measured, and those that failed the situation's judgement
	spurious       float64 // the most spurious replays per cycle of a cell
	failedRPCs     float64 // the largest share of a cell's RPCs that failed
	na             bool    // no cell applies to the release
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

// judgeSituation says how strategy s fared in situation st on run r: by
// the situation's judgement, over every cycle of every cell.
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
		sp := meanOr0(smp.Values(resultset.UnitSpurious))
		v.spurious = math.Max(v.spurious, sp)
		v.failedRPCs = math.Max(v.failedRPCs, meanOr0(smp.Values(resultset.UnitFailedRPCs)))
		var failing bool
		switch st.judge {
		case recovers:
			k, _ := smp.Count(resultset.UnitMissed)
			failing = k > 0
		case noSpurious:
			k, _ := smp.Count(resultset.UnitMissed)
			failing = k > 0 || sp > 0
		case allReady:
			k, n := smp.Count(resultset.UnitUnready)
			failing = k > 0 || n == 0
		}
		if failing {
			v.failing++
		}
	}
	v.na = v.cells == 0 && na > 0
	return v
}

func meanOr0(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return resultset.Mean(xs)
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
	spurious, failed := 0.0, 0.0
	for _, r := range runs {
		v := judgeSituation(r, s, st)
		w := v.String()
		if w == "–" {
			continue
		}
		if st.judge == allReady {
			// What the replay would have told: the report follows the
			// failed RPCs of the other situations (serviceSentences).
			failed = math.Max(failed, v.failedRPCs)
		} else {
			// A replay after a rolling restart may find a backend
			// that kept the log: a replay does not measure it.
			spurious = math.Max(spurious, v.spurious)
		}
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
	if failed > 0 {
		out += fmt.Sprintf(" (up to %s of a cell's RPCs failed)", percent(failed))
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

// percent writes a share as a percentage, with a decimal below 10%.
func percent(x float64) string {
	if x < 0.1 {
		return strings.TrimSuffix(fmt.Sprintf("%.1f", 100*x), ".0") + "%"
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}
