package resultset

import (
	"fmt"
	"sort"

	"golang.org/x/mod/semver"
)

// BoundaryUnits are the metrics a boundary scan follows in every cell.
var BoundaryUnits = []string{UnitMissed, UnitUndetected, UnitSpurious, UnitDials, UnitLost, UnitDuplicated, UnitReplays, UnitRecover, UnitDetect,
	UnitFailedRPCs, UnitUnready, UnitAllReady}

// A Boundary is a change of one metric of one cell between two consecutive
// releases of a series, judged the way benchstat judges a difference.
type Boundary struct {
	Series   Series
	From, To string // releases, consecutive among those measured
	Cell     Cell
	Unit     string
	// Before and After are the metric's values; an empty side never saw
	// the event (a latency of cycles that all missed, say).
	Before, After []float64
	P             float64 // benchstat's test; 0 where the event happened on one side only
	// Separated is true when no value of one side lies within the range
	// of the other: a shift no overlap can blur. On the virtual clock most
	// metrics repeat exactly, but backoff jitter spreads recovery times
	// and dial counts, and among thousands of comparisons benchstat's test
	// passes some of those by chance; a separated change is far rarer by
	// chance, and is what make bisect is asked to confirm.
	Separated bool
}

// String describes the change in a line.
func (b Boundary) String() string {
	return fmt.Sprintf("%s → %s %s %s", b.From, b.To, b.Cell.Short(), b.Change())
}

// Change describes what changed: "missed/op 0 → 1".
func (b Boundary) Change() string {
	return fmt.Sprintf("%s %s → %s", b.Unit, describeSide(b.Unit, b.Before), describeSide(b.Unit, b.After))
}

func describeSide(unit string, xs []float64) string {
	if len(xs) == 0 {
		return "never"
	}
	s := Summarize(xs)
	f := func(v float64) string {
		if IsTime(unit) {
			return fmt.Sprintf("%.2fs", v/1e9)
		}
		return fmt.Sprintf("%.3g", v)
	}
	if s.Min == s.Max {
		return f(s.Min)
	}
	return fmt.Sprintf("%s (%s to %s)", f(s.Median), f(s.Min), f(s.Max))
}

// Boundaries lists every change of the BoundaryUnits of every cell between
// consecutive releases of each series of d, in release order.
func Boundaries(d *Set) []Boundary {
	var out []Boundary
	for _, runs := range d.SeriesRuns() {
		cells := map[Cell]bool{}
		for _, r := range runs {
			for c := range r.Cells {
				cells[c] = true
			}
		}
		ordered := make([]Cell, 0, len(cells))
		for c := range cells {
			ordered = append(ordered, c)
		}
		sort.Slice(ordered, func(i, j int) bool { return ordered[i].String() < ordered[j].String() })
		for _, c := range ordered {
			var prev *Run
			for _, r := range runs {
				if r.Cells[c] == nil {
					continue
				}
				if prev != nil {
					for _, u := range BoundaryUnits {
						if b, ok := change(prev, r, c, u); ok {
							out = append(out, b)
						}
					}
				}
				prev = r
			}
		}
	}
	// By release within each series: a boundary is about a release.
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Series == out[j].Series && semver.Compare(out[i].To, out[j].To) < 0
	})
	return out
}

// change compares unit of cell c between runs a and b. A cell that does
// not apply to one of the releases (client=newclient before v1.63) has no
// behaviour to compare there: becoming applicable is no boundary.
func change(a, b *Run, c Cell, unit string) (Boundary, bool) {
	x, y := a.Cells[c].Values(unit), b.Cells[c].Values(unit)
	bd := Boundary{Series: a.Series, From: a.Release, To: b.Release, Cell: c, Unit: unit, Before: x, After: y}
	switch {
	case a.Cells[c].Inapplicable() || b.Cells[c].Inapplicable():
		return bd, false
	case len(x) == 0 && len(y) == 0:
		return bd, false
	case len(x) == 0 || len(y) == 0:
		// The event happened on one side only: no test is needed.
		bd.Separated = true
		return bd, true
	}
	cmp := Compare(x, y)
	if !cmp.Differ {
		return bd, false
	}
	bd.P = cmp.P
	sx, sy := Summarize(x), Summarize(y)
	bd.Separated = sx.Max < sy.Min || sy.Max < sx.Min
	return bd, true
}
