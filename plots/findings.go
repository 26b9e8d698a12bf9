package plots

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/reconnbench/reconnbench/resultset"
)

// missedAt is the share of a cell's cycles that never recovered, with the
// counts; ok is false where the cell was not measured.
func missedAt(r *resultset.Run, c resultset.Cell) (frac float64, k, n int, ok bool) {
	k, n = r.Cells[c].Count(resultset.UnitMissed)
	if n == 0 {
		return math.NaN(), 0, 0, false
	}
	return float64(k) / float64(n), k, n, true
}

// where names a cell's fault and traffic, "crash/idle": what a finding
// says a strategy faced. The report shows one set of conditions
// (downtime, quiet time, client), named at its top.
func where(c resultset.Cell) string { return c.Fault + "/" + c.Traffic }

// restartFaults are the faults after which some cell of d needed a
// replay: those that restart the server. After the others (rotate) the
// server keeps its state, nothing can be missed, and recovery figures have
// nothing to show.
func restartFaults(d *resultset.Set) []string {
	var out []string
	for _, f := range d.Faults {
		if restarts(d, f) {
			out = append(out, f)
		}
	}
	return out
}

func restarts(d *resultset.Set, fault string) bool {
	for _, r := range d.Runs {
		for c, s := range r.Cells {
			if c.Fault == fault && !s.Inapplicable() && !s.NoReplayNeeded() {
				return true
			}
		}
	}
	return false
}

// onset is where a cell's missed fraction first rises from one release
// to the next within a series.
type onset struct {
	strategy   string
	cell       resultset.Cell
	from, to   string // the release before, the release where it rises
	kFrom, nF  int
	kTo, nTo   int
	allLater   bool   // every later release misses every cycle too
	someLater  bool   // every later release misses some
	recovering string // the first later release that recovers every cycle again
}

// onsets finds, per strategy and cell, the first release whose missed
// fraction is higher than that of the release before it.
func onsets(d *resultset.Set, runs []*resultset.Run) []onset {
	var out []onset
	for _, s := range d.Strategies {
		for _, f := range d.Faults {
			for _, t := range d.Traffic {
				c := d.Cell(s, f, t)
				var have []*resultset.Run
				for _, r := range runs {
					if _, _, _, ok := missedAt(r, c); ok {
						have = append(have, r)
					}
				}
				for i := 1; i < len(have); i++ {
					fa, ka, na, _ := missedAt(have[i-1], c)
					fb, kb, nb, _ := missedAt(have[i], c)
					if fb <= fa {
						continue
					}
					o := onset{strategy: s, cell: c, from: have[i-1].Label, to: have[i].Label,
						kFrom: ka, nF: na, kTo: kb, nTo: nb, allLater: true, someLater: true}
					for _, r := range have[i+1:] {
						fl, _, _, _ := missedAt(r, c)
						o.allLater = o.allLater && fl == 1
						o.someLater = o.someLater && fl > 0
						if fl == 0 && o.recovering == "" {
							o.recovering = r.Label
						}
					}
					out = append(out, o)
					break
				}
			}
		}
	}
	return out
}

// onsetSentences groups onsets that say the same thing into one sentence
// per strategy and release.
func onsetSentences(d *resultset.Set, runs []*resultset.Run) []string {
	type key struct {
		strategy, from, to, before string
		full, allLater, someLater  bool
		recovering                 string
	}
	var order []key
	cells, counts := map[key][]string{}, map[key][]string{}
	for _, o := range onsets(d, runs) {
		k := key{o.strategy, o.from, o.to, fmt.Sprintf("%d/%d", o.kFrom, o.nF), o.kTo == o.nTo,
			o.allLater, o.someLater, o.recovering}
		if cells[k] == nil {
			order = append(order, k)
		}
		cells[k] = append(cells[k], where(o.cell))
		counts[k] = append(counts[k], fmt.Sprintf("%d/%d", o.kTo, o.nTo))
	}
	newest := runs[len(runs)-1].Label
	var out []string
	for _, k := range order {
		verb := "starts missing cycles"
		if k.full {
			verb = "stops recovering"
		}
		before := "recovered every cycle"
		if k.before[0] != '0' {
			before = "missed " + k.before
		}
		var tail string
		switch {
		case k.to == newest:
		case k.full && k.allLater:
			tail = fmt.Sprintf("; it misses every cycle on every later release measured, up to %s", newest)
		case k.someLater:
			tail = fmt.Sprintf("; it keeps missing cycles on every later release measured, up to %s", newest)
		case k.recovering != "":
			tail = fmt.Sprintf("; it recovers every cycle again at %s", k.recovering)
		}
		// One count for all cells where they agree, else one per cell.
		where := list(cells[k])
		if c := slices.Compact(slices.Clone(counts[k])); len(c) == 1 {
			each := ""
			if len(cells[k]) > 1 {
				each = " in each"
			}
			where += fmt.Sprintf(" (%s cycles missed%s)", c[0], each)
		} else {
			var parts []string
			for i, cell := range cells[k] {
				parts = append(parts, fmt.Sprintf("%s (%s missed)", cell, counts[k][i]))
			}
			where = list(parts)
		}
		out = append(out, fmt.Sprintf("**%s** %s at **%s** (its predecessor %s %s) in %s%s.",
			k.strategy, verb, k.to, k.from, before, where, tail))
	}
	return out
}

// findingGroup is the findings of one series (toolchain, clock, link).
type findingGroup struct {
	series   resultset.Series
	cells    int // cells measured, over the releases
	releases int
	items    []string
}

// heading names the group's series and, where it is not the main one,
// how much it measured: a series can be a few cells (those that stalled
// the virtual clock, rerun on the real one).
func (g findingGroup) heading(main resultset.Series) string {
	if g.series == main {
		return g.series.Describe()
	}
	return fmt.Sprintf("%s (%s on %s)", g.series.Describe(), plural(g.cells, "cell"), plural(g.releases, "release"))
}

// findings are the report's conclusions in plain sentences, computed from
// the data, per series, the main series first.
func findings(d *resultset.Set) []findingGroup {
	var out []findingGroup
	for _, runs := range d.SeriesRuns() {
		var fs []string
		if len(runs) > 1 {
			on := onsetSentences(d, runs)
			if len(on) == 0 {
				on = []string{fmt.Sprintf("No strategy misses more cycles on any release than on the one before it, over the %d releases from %s to %s.",
					len(runs), runs[0].Label, runs[len(runs)-1].Label)}
			}
			fs = append(fs, on...)
		}
		fs = append(fs, hopelessSentence(d, runs))
		fs = append(fs, neverSentences(d, runs)...)
		fs = append(fs, alwaysSentence(d, runs))
		fs = append(fs, fastestSentences(d, runs)...)
		fs = append(fs, detectionSentence(d, runs[len(runs)-1]))
		g := findingGroup{series: runs[0].Series, releases: len(runs)}
		for _, r := range runs {
			g.cells += len(r.Cells)
		}
		for _, f := range fs {
			if f != "" {
				g.items = append(g.items, f)
			}
		}
		out = append(out, g)
	}
	return out
}

// neverSentences names the cells a strategy misses in every cycle on
// every release measured.
func neverSentences(d *resultset.Set, runs []*resultset.Run) []string {
	var out []string
	for _, s := range d.Strategies {
		var never []string
		for _, f := range d.Faults {
			for _, t := range d.Traffic {
				if hopeless(d, runs, f, t) {
					continue // hopelessSentence says it of every strategy
				}
				measured, all := false, true
				for _, r := range runs {
					if fr, _, _, ok := missedAt(r, d.Cell(s, f, t)); ok {
						measured = true
						all = all && fr == 1
					}
				}
				if measured && all {
					never = append(never, where(d.Cell(s, f, t)))
				}
			}
		}
		if len(never) > 0 {
			where := "on any release measured"
			if len(runs) == 1 {
				where = "on " + runs[0].Label
			}
			out = append(out, fmt.Sprintf("**%s** never recovers from %s %s.", s, list(never), where))
		}
	}
	return out
}

// alwaysSentence names the strategies that recover in every cycle of
// every cell of every release.
func alwaysSentence(d *resultset.Set, runs []*resultset.Run) string {
	var always []string
	for _, s := range d.Strategies {
		ok, measured := true, false
		for _, r := range runs {
			for c := range r.Cells {
				if c.Strategy == s && !hopeless(d, runs, c.Fault, c.Traffic) {
					measured = true
					if fr, _, _, _ := missedAt(r, c); fr > 0 {
						ok = false
					}
				}
			}
		}
		if ok && measured {
			always = append(always, "**"+s+"**")
		}
	}
	what := "every fault, traffic mode and release"
	if hopelessSentence(d, runs) != "" {
		what += " that some strategy recovers from"
	}
	if len(always) == 0 {
		return fmt.Sprintf("No strategy recovers in every cycle of %s.", what)
	}
	return fmt.Sprintf("Recovering in every cycle of %s: %s.", what, list(always))
}

// hopeless reports whether no strategy recovered in any cycle of fault f
// and traffic t on any of runs, where some cell of them was measured.
func hopeless(d *resultset.Set, runs []*resultset.Run, f, t string) bool {
	measured := false
	for _, s := range d.Strategies {
		for _, r := range runs {
			if fr, _, _, ok := missedAt(r, d.Cell(s, f, t)); ok {
				if fr < 1 {
					return false
				}
				measured = true
			}
		}
	}
	return measured
}

// hopelessFault reports whether no strategy recovered in any cycle of
// fault f, in any traffic mode measured.
func hopelessFault(d *resultset.Set, runs []*resultset.Run, f string) bool {
	some := false
	for _, t := range d.Traffic {
		if hopeless(d, runs, f, t) {
			some = true
			continue
		}
		for _, r := range runs {
			for _, s := range d.Strategies {
				if _, _, _, ok := missedAt(r, d.Cell(s, f, t)); ok {
					return false // measured, and not hopeless
				}
			}
		}
	}
	return some
}

// hopelessSentence names the faults and traffic modes no strategy ever
// recovers from: what no choice of strategy helps.
func hopelessSentence(d *resultset.Set, runs []*resultset.Run) string {
	var cells []string
	for _, f := range d.Faults {
		for _, t := range d.Traffic {
			if hopeless(d, runs, f, t) {
				cells = append(cells, f+"/"+t)
			}
		}
	}
	if len(cells) == 0 {
		return ""
	}
	where := "on any release measured"
	if len(runs) == 1 {
		where = "on " + runs[0].Label
	}
	return fmt.Sprintf("No strategy recovers in any cycle of %s %s.", list(cells), where)
}

// fastestSentences say, per fault, which strategy recovers fastest on a
// release, among those that never missed that fault in any traffic mode.
func fastestSentences(d *resultset.Set, runs []*resultset.Run) []string {
	r := runs[len(runs)-1]
	var out []string
	for _, f := range d.Faults {
		if !measuredOn(d, r, f) {
			continue // a series of a few cells (stalled ones rerun on the real clock)
		}
		if !restarts(d, f) {
			out = append(out, spuriousSentence(d, r, f))
			continue
		}
		type cand struct {
			s   string
			sum resultset.Summary
		}
		var cands []cand
		for _, s := range d.Strategies {
			var times []float64
			clean, measured := true, false
			for _, t := range d.Traffic {
				if fr, _, _, ok := missedAt(r, d.Cell(s, f, t)); ok {
					measured = true
					clean = clean && fr == 0
				}
				times = append(times, inSeconds(r.Cells[d.Cell(s, f, t)], resultset.UnitRecover)...)
			}
			if measured && clean && len(times) > 0 {
				cands = append(cands, cand{s, resultset.Summarize(times)})
			}
		}
		if len(cands) == 0 {
			if hopelessFault(d, runs, f) {
				continue // hopelessSentence said it
			}
			out = append(out, fmt.Sprintf("No strategy recovers from **%s** in every cycle of every traffic mode on %s.", f, r.Label))
			continue
		}
		slices.SortStableFunc(cands, func(a, b cand) int {
			if c := compare(a.sum.Median, b.sum.Median); c != 0 {
				return c
			}
			return compare(a.sum.P90, b.sum.P90)
		})
		best := cands[0]
		sentence := fmt.Sprintf("Fastest to recover from **%s** on %s, among the strategies that recovered every cycle of every traffic mode: **%s**, median %s, 90th percentile %s",
			f, r.Label, best.s, secs(best.sum.Median), secs(best.sum.P90))
		if len(cands) > 1 {
			var rest []string
			for _, c := range cands[1:] {
				rest = append(rest, fmt.Sprintf("%s %s", c.s, secs(c.sum.Median)))
			}
			sentence += fmt.Sprintf(" (then %s)", strings.Join(rest, ", "))
		}
		out = append(out, sentence+".")
	}
	return out
}

// measuredOn reports whether run r has a cell of fault f under d's
// conditions.
func measuredOn(d *resultset.Set, r *resultset.Run, f string) bool {
	for c := range r.Cells {
		if c.Fault == f && c.Conditions() == d.Conditions {
			return true
		}
	}
	return false
}

// spuriousSentence says, for a fault after which the server keeps its
// state, how many replays each strategy sent that nobody needed, on a
// release.
func spuriousSentence(d *resultset.Set, r *resultset.Run, fault string) string {
	var none, some []string
	for _, s := range d.Strategies {
		var xs []float64
		for _, t := range d.Traffic {
			xs = append(xs, r.Cells[d.Cell(s, fault, t)].Values(resultset.UnitSpurious)...)
		}
		if len(xs) == 0 {
			continue
		}
		if m := resultset.Mean(xs); m == 0 {
			none = append(none, "**"+s+"**")
		} else {
			some = append(some, fmt.Sprintf("**%s** %.2g", s, m))
		}
	}
	out := fmt.Sprintf("After **%s** the server keeps its state, so no replay is needed", fault)
	switch {
	case len(some) > 0 && len(none) > 0:
		out += fmt.Sprintf("; on %s, spurious replays per cycle (mean over traffic modes): %s; none from %s", r.Label, list(some), list(none))
	case len(some) > 0:
		out += fmt.Sprintf("; on %s, spurious replays per cycle (mean over traffic modes): %s", r.Label, list(some))
	case len(none) > 0:
		out += fmt.Sprintf("; on %s no strategy sends a spurious replay", r.Label)
	}
	return out + "."
}

// detectionSentence says which strategies' clients notice a blackhole,
// and how soon, on a release.
func detectionSentence(d *resultset.Set, r *resultset.Run) string {
	if !slices.Contains(d.Faults, "blackhole") {
		return ""
	}
	var detect, never []string
	for _, s := range d.Strategies {
		var times []float64
		k, n := 0, 0
		for _, t := range d.Traffic {
			c := r.Cells[d.Cell(s, "blackhole", t)]
			ck, cn := c.Count(resultset.UnitUndetected)
			k, n = k+ck, n+cn
			times = append(times, inSeconds(c, resultset.UnitDetect)...)
		}
		switch {
		case n == 0:
		case k == n:
			never = append(never, "**"+s+"**")
		case k == 0:
			sum := resultset.Summarize(times)
			detect = append(detect, fmt.Sprintf("**%s** (median %s, %s to %s)", s, secs(sum.Median), secs(sum.Min), secs(sum.Max)))
		default:
			detect = append(detect, fmt.Sprintf("**%s** (in %d of %d cycles)", s, n-k, n))
		}
	}
	if len(detect) == 0 && len(never) == 0 {
		return "" // no blackhole measured on r
	}
	if len(detect) == 0 {
		return fmt.Sprintf("After a blackhole on %s, no strategy's client gives up the dead connection.", r.Label)
	}
	s := fmt.Sprintf("After a blackhole on %s, the client gives up the dead connection with %s", r.Label, list(detect))
	if len(never) > 0 {
		s += fmt.Sprintf("; with %s it never does", list(never))
	}
	return s + "."
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// secs formats seconds for the report.
func secs(s float64) string { return fmt.Sprintf("%.2f s", s) }

// list joins words as prose: "a", "a and b", "a, b and c".
func list(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// plural is "1 cell", "2 cells".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
