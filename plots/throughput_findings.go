package plots

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/reconnbench/reconnbench/resultset"
)

// throughputSentences says, for each replay benchmark, between which
// consecutive releases its messages per second differ beyond noise, by
// benchstat's test. The releases ran minutes apart, so a drift of the
// machine can show as a difference: a bisection's rounds side by side
// settle it (bisectionSentences).
func throughputSentences(d *resultset.Set) []string {
	names := map[string]bool{}
	for _, t := range d.Throughput {
		for k := range t.Bench {
			names[k] = true
		}
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(names)) {
		var prev *resultset.Throughput
		var changes []string
		pairs := 0
		for _, t := range d.Throughput {
			if t.Go != d.Main.Go || t.Link != d.Main.Link {
				continue // another series: never compared with this one
			}
			xs := t.Bench[k].Values(resultset.UnitMsgsPerS)
			if len(xs) == 0 {
				continue
			}
			if prev != nil {
				pairs++
				ps := prev.Bench[k].Values(resultset.UnitMsgsPerS)
				if c := resultset.Compare(ps, xs); c.Differ {
					a, b := resultset.Summarize(ps).Median, resultset.Summarize(xs).Median
					changes = append(changes, fmt.Sprintf("%s → %s %+.0f%% (%s → %s, p=%.3f)",
						prev.Label, t.Label, 100*(b/a-1), si(a), si(b), c.P))
				}
			}
			prev = t
		}
		what := "**" + k + "**"
		switch {
		case prev == nil:
		case len(changes) == 0:
			out = append(out, fmt.Sprintf("%s: no two consecutive releases differ beyond noise.", what))
		default:
			out = append(out, fmt.Sprintf("%s, messages a second, %d of %d pairs: %s.", what, len(changes), pairs, strings.Join(changes, "; ")))
		}
	}
	return out
}

// bisectionSentences says what each bisection found, with the evidence
// that decided it and, where a cause file stands beside it, the cause in
// its author's words.
func bisectionSentences(bs []resultset.Bisection) []string {
	var out []string
	for _, b := range bs {
		if _, err := b.Name.Cell(); err == nil {
			continue // a cell's: the boundaries section says what it confirmed
		}
		before, after := b.Sides()
		c := b.Compare()
		evidence := fmt.Sprintf("%s median %s (%d runs) against %s",
			b.Metric, si(resultset.Summarize(after).Median), len(after), si(resultset.Summarize(before).Median))
		if b.Paired {
			rs := make([]float64, 0, len(after))
			below, above := 0, 0
			for i := range after {
				rs = append(rs, after[i]/before[i])
				switch {
				case after[i] < before[i]:
					below++
				case after[i] > before[i]:
					above++
				}
			}
			sum := resultset.Summarize(rs)
			way, k := "lower", below
			if sum.Median > 1 {
				way, k = "higher", above
			}
			evidence = fmt.Sprintf("measured in %d rounds of fresh processes beside %s: %s median %s against %s, ratio %.2f (%.2f to %.2f), %s in %d of %d rounds, sign test p=%.3f",
				len(after), b.Good, b.Metric, si(resultset.Summarize(after).Median), si(resultset.Summarize(before).Median),
				sum.Median, sum.Min, sum.Max, way, k, len(after), c.P)
		} else {
			evidence += fmt.Sprintf(" on %s, p=%.3f", b.Last, c.P)
		}
		s := fmt.Sprintf("`make bisect` between %s and %s, patches included: **%s** is the first release whose %s of **%s** differs from %s (the last like it: %s); %s.",
			b.Good, b.Bad, b.First, b.Metric, b.Name, b.Good, b.Last, evidence)
		if cause, err := os.ReadFile(resultset.CausePath(b.File)); err == nil {
			s += "\n\n  Cause, written by hand from " + b.First + "'s source and release notes (" + relName(resultset.CausePath(b.File)) + "):\n\n  > " +
				strings.ReplaceAll(strings.TrimSpace(string(cause)), "\n", "\n  > ")
		}
		out = append(out, s)
	}
	return out
}

// relName is a file's name within its results folder, for the report.
func relName(path string) string {
	i := strings.LastIndex(path, resultset.BisectionDir+"/")
	if i < 0 {
		return path
	}
	return path[i:]
}

// si formats a large number as 612k or 1.2M.
func si(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.3g", v)
}
