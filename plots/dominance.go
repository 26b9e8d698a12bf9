package plots

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/reconnbench/reconnbench/resultset"
)

// wherePossibleSentences says, for each strategy, whether it recovers in
// every cycle wherever any strategy does and never replays to a server
// that already holds the log, over every cell of every release of the
// main series of all: the claim the identity strategy is built to make.
// Where a strategy falls short, it names the cells, with the releases.
func wherePossibleSentences(all *resultset.Set) []string {
	runs := all.SeriesRuns()[0]
	var out []string
	for _, s := range all.Strategies {
		misses, spurious, cells, counted := shortOf(runs, s)
		if cells == 0 {
			continue
		}
		switch {
		case !counted && len(misses) == 0:
			out = append(out, fmt.Sprintf("**%s** recovers in every cycle wherever any strategy recovers in every cycle: in each of its cells on each of %d releases (%d cells measured; these results do not count spurious replays).",
				s, len(runs), cells))
		case !counted:
		case len(misses) == 0 && len(spurious) == 0:
			out = append(out, fmt.Sprintf("**%s** recovers in every cycle wherever any strategy recovers in every cycle, and never replays to a server that already holds the log: in each of its cells on each of %d releases (%d cells measured; those that do not apply to a release left out).",
				s, len(runs), cells))
		case len(misses) == 0 || len(spurious) == 0:
			// Only the strategies that come close are worth a sentence.
			what := "recovers in every cycle wherever any strategy does"
			short := spurious
			shortWhat := "but replays to a server that already holds the log in"
			if len(misses) > 0 {
				what = "never replays to a server that already holds the log"
				short, shortWhat = misses, "but misses cycles that another strategy recovers in"
			}
			out = append(out, fmt.Sprintf("**%s** %s, %s %s.", s, what, shortWhat, situationList(short)))
		}
	}
	return out
}

// shortOf is where strategy s falls short on runs: the situations, with
// the releases, where it missed cycles that another strategy recovered in
// every cycle, and those where it replayed to a server that already held
// the log; with how many cells it had, and whether the results count
// spurious replays at all.
func shortOf(runs []*resultset.Run, s string) (misses, spurious map[string][]string, cells int, counted bool) {
	misses, spurious = map[string][]string{}, map[string][]string{}
	for _, r := range runs {
		for c, smp := range r.Cells {
			if c.Strategy != s || smp.Inapplicable() {
				continue
			}
			cells++
			k, _ := smp.Count(resultset.UnitMissed)
			if k > 0 && someoneRecovers(r, c) {
				misses[c.ShortSituation()] = append(misses[c.ShortSituation()], r.Label)
			}
			if !smp.ReplayMeasured() {
				// Its replays tell nothing (a backend of a rolling
				// restart may still hold the log).
				continue
			}
			xs := smp.Values(resultset.UnitSpurious)
			counted = counted || len(xs) > 0
			if len(xs) > 0 && resultset.Mean(xs) > 0 {
				spurious[c.ShortSituation()] = append(spurious[c.ShortSituation()], r.Label)
			}
		}
	}
	return misses, spurious, cells, counted
}

// someoneRecovers reports whether some strategy recovers every cycle of
// c's situation on run r.
func someoneRecovers(r *resultset.Run, c resultset.Cell) bool {
	for o, smp := range r.Cells {
		if o.ShortSituation() != c.ShortSituation() || o.Strategy == c.Strategy || smp.Inapplicable() {
			continue
		}
		if k, n := smp.Count(resultset.UnitMissed); n > 0 && k == 0 {
			return true
		}
	}
	return false
}

// situationList names situations with the releases of each, the longest
// lists shortened.
func situationList(m map[string][]string) string {
	keys := slices.Sorted(maps.Keys(m))
	var parts []string
	for i, k := range keys {
		if i == 6 {
			parts = append(parts, fmt.Sprintf("%d more situations", len(keys)-6))
			break
		}
		rels := m[k]
		where := rels[0]
		if len(rels) > 1 {
			where = fmt.Sprintf("%s to %s (%d releases)", rels[0], rels[len(rels)-1], len(rels))
		}
		parts = append(parts, fmt.Sprintf("%s on %s", k, where))
	}
	return strings.Join(parts, "; ")
}
