package plots

import (
	"fmt"
	"slices"
	"strings"

	"github.com/montanaflynn/stats"

	"github.com/reconnbench/reconnbench/resultset"
)

// serviceIntro says how to read serviceSentences.
const serviceIntro = "Each situation across the releases of the main series, downtime 1 s unless it says otherwise, quiet 2 s, grpc.Dial. " +
	"A strategy comes through where every cycle of each of its cells recovered (with round_robin, where every backend was READY again); " +
	"the median is of the recovery times of every strategy's cycles that recovered (with round_robin, of the times until every backend " +
	"was READY again), with the spread of the per-release medians. Releases are joined where the same strategies came through " +
	"and no boundary separates them.\n\n"

// serviceSentences follow each service situation (a moved server, several
// backends) across the releases of the main series of all: which
// strategies come through it in every cycle, how long the recovery takes
// (or, with round_robin, until every backend is READY again), and the
// share of a busy client's RPCs that fail. Releases that fared alike are
// joined into stretches; a stretch ends where the strategies that come
// through change, or where a boundary no overlap blurs separates two
// releases in a cell of the situation.
func serviceSentences(all *resultset.Set) []string {
	runs := all.SeriesRuns()[0]
	split := map[string]map[string]bool{} // situation: releases a boundary begins at
	for _, b := range resultset.Boundaries(all) {
		if !b.Separated || b.Series != all.Main {
			continue
		}
		for _, st := range situations {
			if st.service && st.has(b.Cell) && slices.Contains([]string{resultset.UnitMissed, resultset.UnitUnready, serviceTime(st)}, b.Unit) {
				if split[st.name] == nil {
					split[st.name] = map[string]bool{}
				}
				split[st.name][b.To] = true
			}
		}
	}
	var out []string
	for _, st := range situations {
		if !st.service {
			continue
		}
		var ss []serviceStretch
		var traffic []string
		for _, r := range runs {
			x, ok := fareIn(all, r, st, &traffic)
			if !ok {
				continue
			}
			if n := len(ss); n > 0 && slices.Equal(ss[n-1].through, x.through) && !split[st.name][r.Release] {
				ss[n-1].add(x)
				continue
			}
			ss = append(ss, x)
		}
		if len(ss) == 0 {
			continue
		}
		var parts []string
		for i, x := range ss {
			parts = append(parts, x.text(st, i == 0, i == len(ss)-1, len(ss) == 1))
		}
		out = append(out, fmt.Sprintf("**%s** (%s traffic): %s.", st.name, list(traffic), strings.Join(parts, "; ")))
	}
	return out
}

// serviceTime is the unit of a situation's recovery: the replay's, or the
// time until every backend is READY again where no replay measures it.
func serviceTime(st situation) string {
	if st.judge == allReady {
		return resultset.UnitAllReady
	}
	return resultset.UnitRecover
}

// A serviceStretch is consecutive releases where the same strategies
// came through a service situation.
type serviceStretch struct {
	from, to string
	through  []string    // strategies that came through every cycle of every cell
	others   []string    // those that did not
	medians  []float64   // per release, of the recovery times pooled over cells (s)
	times    [][]float64 // per release, those times
	failed   float64     // the largest share of a cell's RPCs that failed
}

func (x *serviceStretch) add(y serviceStretch) {
	x.to = y.to
	x.medians = append(x.medians, y.medians...)
	x.times = append(x.times, y.times...)
	x.failed = max(x.failed, y.failed)
}

// fareIn is how every strategy fared in situation st on run r, as a
// stretch of one release; ok is false where no cell of st was measured on
// r. It adds the traffic modes of the cells to traffic.
func fareIn(all *resultset.Set, r *resultset.Run, st situation, traffic *[]string) (x serviceStretch, ok bool) {
	x = serviceStretch{from: r.Label, to: r.Label}
	var times []float64
	for _, s := range all.Strategies {
		v := judgeSituation(r, s, st)
		if v.cells == 0 {
			continue
		}
		ok = true
		if v.failing == 0 {
			x.through = append(x.through, s)
		} else {
			x.others = append(x.others, s)
		}
		x.failed = max(x.failed, v.failedRPCs)
	}
	for c, smp := range r.Cells {
		if !st.has(c) || smp.Inapplicable() {
			continue
		}
		if !slices.Contains(*traffic, c.Traffic) {
			*traffic = resultset.OrderTraffic(append(*traffic, c.Traffic))
		}
		times = append(times, inSeconds(smp, serviceTime(st))...)
	}
	if len(times) > 0 {
		m, _ := stats.Median(times)
		x.medians, x.times = []float64{m}, [][]float64{times}
	}
	return x, ok
}

// text is the stretch as a clause: its releases, who came through, and
// how fast.
func (x serviceStretch) text(st situation, first, last, only bool) string {
	var b strings.Builder
	switch {
	case only:
		b.WriteString("on every release measured, ")
	case x.from == x.to:
		fmt.Fprintf(&b, "on %s, ", x.from)
	case first:
		fmt.Fprintf(&b, "to %s, ", x.to)
	case last:
		fmt.Fprintf(&b, "from %s, ", x.from)
	default:
		fmt.Fprintf(&b, "%s to %s, ", x.from, x.to)
	}
	ready := st.judge == allReady
	switch {
	case len(x.through) == 0 && ready:
		b.WriteString("with no strategy is every backend READY again in every cycle")
	case len(x.through) == 0:
		b.WriteString("no strategy recovers in every cycle")
	case len(x.others) == 0 && ready:
		b.WriteString("every backend is READY again in every cycle with every strategy")
	case len(x.others) == 0:
		b.WriteString("every strategy recovers in every cycle")
	case ready:
		fmt.Fprintf(&b, "every backend is READY again in every cycle with %s (not with %s)", list(x.through), list(x.others))
	default:
		fmt.Fprintf(&b, "%s %s in every cycle (%s %s not)", list(x.through), agree(x.through, "recovers", "recover"), list(x.others), agree(x.others, "does", "do"))
	}
	var pooled []float64
	for _, t := range x.times {
		pooled = append(pooled, t...)
	}
	if len(pooled) > 0 {
		m, _ := stats.Median(pooled)
		fmt.Fprintf(&b, ", median %s", secs(m))
		if lo, hi := slices.Min(x.medians), slices.Max(x.medians); hi-lo >= 0.01 {
			fmt.Fprintf(&b, " (per release %s to %s)", secs(lo), secs(hi))
		}
	}
	if x.failed > 0 {
		fmt.Fprintf(&b, ", up to %s of a cell's RPCs failing", percent(x.failed))
	}
	return b.String()
}

// agree picks the verb for a list of names.
func agree(names []string, one, many string) string {
	if len(names) == 1 {
		return one
	}
	return many
}
