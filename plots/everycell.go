package plots

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reconnbench/reconnbench/resultset"
)

// everyCellSection is the report's section on the strategies that never
// fall short (wherePossibleSentences): each cell of theirs in every
// situation, release by release, and the cells where one does not
// recover in every cycle, with why. Its releases are view's, of the main
// series; the cells are every condition's, from all.
func everyCellSection(all, view *resultset.Set) string {
	var b strings.Builder
	for _, s := range neverShort(all) {
		cells := strategyCells(all, s)
		if len(cells) == 0 {
			continue
		}
		runs := mainRuns(all, view)
		fmt.Fprintf(&b, "\n## Every cell of %s\n\n", s)
		fmt.Fprintf(&b, "%s recovers in every cycle wherever any strategy does and never replays to a server that already holds the log. "+
			"Here is each of its %d cells, by situation (keys at their base values are left out: downtime 1s, quiet 2s, dial, passthrough, "+
			"1 backend, pick_first), as in the tables by fault; with round_robin, or a rolling restart, which no replay measures, the time "+
			"until every backend was READY again (\"READY\"), and \"unready k/n\" where k of n cycles never had them all.\n\n", "**"+s+"**", len(cells))
		b.WriteString("| cell |")
		for _, r := range runs {
			fmt.Fprintf(&b, " %s |", r.Label)
		}
		b.WriteString("\n|---|" + strings.Repeat("---|", len(runs)) + "\n")
		for _, c := range cells {
			fmt.Fprintf(&b, "| %s |", situationLabel(c))
			for _, r := range runs {
				fmt.Fprintf(&b, " %s |", everyCellText(r.Cells[c]))
			}
			b.WriteString("\n")
		}
		short := shortfalls(all, s)
		if len(short) == 0 {
			fmt.Fprintf(&b, "\n%s recovers in every cycle of every cell on every release of the main series.\n", s)
			continue
		}
		fmt.Fprintf(&b, "\nWhere %s does not recover in every cycle, on the releases of the main series:\n\n", s)
		for _, line := range short {
			fmt.Fprintf(&b, "- %s\n", line)
		}
	}
	return b.String()
}

// neverShort are the strategies that recover wherever any strategy
// recovers and send no spurious replay, over every cell of every release
// of the main series.
func neverShort(all *resultset.Set) []string {
	runs := all.SeriesRuns()[0]
	var out []string
	for _, s := range all.Strategies {
		if misses, spurious, cells, counted := shortOf(runs, s); cells > 0 && counted && len(misses) == 0 && len(spurious) == 0 {
			out = append(out, s)
		}
	}
	return out
}

// strategyCells are strategy s's cells in every run of all, in the order
// of their names.
func strategyCells(all *resultset.Set, s string) []resultset.Cell {
	seen := map[resultset.Cell]bool{}
	for _, r := range all.Runs {
		for c := range r.Cells {
			if c.Strategy == s {
				seen[c] = true
			}
		}
	}
	cells := make([]resultset.Cell, 0, len(seen))
	for c := range seen {
		cells = append(cells, c)
	}
	slices.SortFunc(cells, func(a, b resultset.Cell) int { return strings.Compare(a.Name().String(), b.Name().String()) })
	return cells
}

// mainRuns are the runs of all's main series whose releases view shows.
func mainRuns(all, view *resultset.Set) []*resultset.Run {
	var out []*resultset.Run
	for _, r := range all.SeriesRuns()[0] {
		if slices.ContainsFunc(view.Runs, func(v *resultset.Run) bool { return v.Release == r.Release }) {
			out = append(out, r)
		}
	}
	return out
}

// situationLabel names a cell's situation by the keys that differ from
// the base situation: "crash idle quiet=45m0s".
func situationLabel(c resultset.Cell) string {
	c.Strategy = ""
	return strings.TrimSpace(c.Short())
}

// everyCellText is cellText, or for a cell no replay measures, the time
// until every backend was READY again.
func everyCellText(s *resultset.Samples) string {
	if s == nil || s.Inapplicable() || s.ReplayMeasured() {
		return cellText(s)
	}
	k, n := s.Count(resultset.UnitUnready)
	xs := inSeconds(s, resultset.UnitAllReady)
	switch {
	case n == 0:
		return "–"
	case k == n || len(xs) == 0:
		return "unready"
	case k > 0:
		return fmt.Sprintf("READY %s, unready %d/%d", secs(resultset.Summarize(xs).Median), k, n)
	}
	return "READY " + secs(resultset.Summarize(xs).Median)
}

// shortfalls are a line per cell where strategy s missed a cycle on some
// release of the main series, with the releases and why.
func shortfalls(all *resultset.Set, s string) []string {
	runs := all.SeriesRuns()[0]
	var out []string
	for _, c := range strategyCells(all, s) {
		var missed, alone []string // releases; those where another strategy recovered every cycle
		for _, r := range runs {
			if k, _ := r.Cells[c].Count(resultset.UnitMissed); k > 0 {
				missed = append(missed, r.Label)
				if someoneRecovers(r, c) {
					alone = append(alone, r.Label)
				}
			}
		}
		if len(missed) == 0 {
			continue
		}
		where := releaseList(missed, len(runs))
		why := "no strategy recovers there either"
		if cause := knownCause(c); cause != "" {
			why += ": " + cause
		}
		if len(alone) > 0 {
			why = "other strategies recover on " + releaseList(alone, len(runs))
		}
		out = append(out, fmt.Sprintf("%s, %s: %s.", situationLabel(c), where, why))
	}
	return out
}

// releaseList names releases: all of them, one, or the first and last.
func releaseList(rels []string, of int) string {
	switch {
	case len(rels) == of:
		return "on every release"
	case len(rels) == 1:
		return "on " + rels[0]
	}
	return fmt.Sprintf("on %d releases from %s to %s", len(rels), rels[0], rels[len(rels)-1])
}

// knownCause says why no strategy can recover in a cell, where the cell's
// design makes it so (docs/cycle.md says it for each).
func knownCause(c resultset.Cell) string {
	if c.Fault == "move" && c.Resolver == "passthrough" {
		return "behind passthrough the client's target is the old address, which it dials for ever; only a resolver learns the new one"
	}
	return ""
}
