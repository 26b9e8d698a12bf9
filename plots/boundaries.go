package plots

import (
	"fmt"
	"strings"

	"github.com/reconnbench/reconnbench/resultset"
)

// boundarySection is the report's list of behaviour boundaries: every
// change of a metric of a cell between consecutive releases that
// benchstat's test finds and that no overlap of values blurs, grouped by
// release and change, each marked with the bisection that confirms it, if
// one does. Changes benchstat finds among overlapping values (backoff
// jitter, mostly) are only counted.
func boundarySection(d *resultset.Set, bs []resultset.Bisection) string {
	all := resultset.Boundaries(d)
	if len(all) == 0 {
		return "No metric of any cell differs between consecutive releases, by benchstat's test.\n"
	}
	type key struct {
		series         resultset.Series
		from, to, unit string
		change         string
	}
	var order []key
	cells := map[key][]string{}
	weak := 0
	for _, b := range all {
		if !b.Separated {
			weak++
			continue
		}
		k := key{b.Series, b.From, b.To, b.Unit, b.Change()}
		if cells[k] == nil {
			order = append(order, k)
		}
		cells[k] = append(cells[k], b.Cell.Short())
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Every change of a metric of a cell between consecutive releases (%s) that benchstat's test finds "+
		"(Mann-Whitney U, p < 0.05, or the event happening on one side only) and that no overlap of the two sides' values blurs. "+
		"A bisection in `bisect/` confirms a change when it finds the same cell's metric changing first at the same release.\n\n",
		strings.Join(resultset.BoundaryUnits, ", "))
	for _, k := range order {
		// What make bisect found for these cells: the first release,
		// patches included, or nothing when it did not see the change again.
		var firsts []string
		var unseen []string
		for _, b := range bs {
			bc, err := b.Name.Cell()
			if err != nil || b.Good != k.from || b.Bad != k.to || b.Metric != k.unit || !contains(cells[k], bc.Short()) {
				continue
			}
			if b.First == resultset.NotReproduced {
				unseen = append(unseen, bc.Short())
			} else if !contains(firsts, b.First) {
				firsts = append(firsts, b.First)
			}
		}
		confirmed := ""
		if len(firsts) > 0 {
			confirmed = fmt.Sprintf(" `make bisect` finds it first at %s, patches included", list(firsts))
			if len(unseen) > 0 {
				confirmed += "; "
			} else {
				confirmed += "."
			}
		}
		if len(unseen) > 0 {
			confirmed += fmt.Sprintf(" `make bisect` did not see it again in %s: likely jitter.", list(unseen))
		}
		label := k.from + " → " + k.to
		if k.series != d.Main {
			label += " (" + k.series.Describe() + ")"
		}
		fmt.Fprintf(&sb, "- **%s**, %s in %s.%s\n", label, k.change, list(cells[k]), confirmed)
	}
	if weak > 0 {
		fmt.Fprintf(&sb, "\nAlso %d changes that benchstat's test finds among overlapping values, most of them in recovery times and dial counts, "+
			"which gRPC-Go's backoff jitter spreads; among this many comparisons some pass by chance. `reconnbench boundaries -all` lists them.\n", weak)
	}
	return sb.String()
}
