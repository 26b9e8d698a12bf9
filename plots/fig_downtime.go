package plots

import (
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/reconnbench/reconnbench/resultset"
)

// byDowntime turns run r of the full set into a set whose "runs" are the
// downtimes its cells of fault were measured with, under the other
// conditions of d: so that the latency and heat panels, which draw runs
// along x, draw downtimes. Each pseudo-run's cells are keyed by d's
// conditions, as its panels look them up.
func byDowntime(all, d *resultset.Set, r *resultset.Run, fault string) *resultset.Set {
	var downtimes []time.Duration
	for c := range r.Cells {
		if c.Fault == fault && sameButDowntime(c.Conditions(), d.Conditions) && !slices.Contains(downtimes, c.Downtime) {
			downtimes = append(downtimes, c.Downtime)
		}
	}
	slices.Sort(downtimes)
	pd := *d
	pd.Runs = nil
	for _, dt := range downtimes {
		pr := &resultset.Run{Release: r.Release, Series: r.Series, Label: "down " + dt.String(), Cells: map[resultset.Cell]*resultset.Samples{}}
		for c, s := range r.Cells {
			if c.Fault == fault && c.Downtime == dt && sameButDowntime(c.Conditions(), d.Conditions) {
				c.Downtime = d.Conditions.Downtime
				pr.Cells[c] = s
			}
		}
		pd.Runs = append(pd.Runs, pr)
	}
	return &pd
}

// sameButDowntime reports whether a and b differ in downtime at most.
func sameButDowntime(a, b resultset.Conditions) bool {
	a.Downtime = b.Downtime
	return a == b
}

// downtimeFigure is the recovery time and the dial attempts against the
// downtime, for a crash on release r, a column per traffic mode measured
// with more than one downtime; nil when no traffic mode was.
func downtimeFigure(all, d *resultset.Set, r *resultset.Run) (*Figure, error) {
	const fault = "crash"
	pd := byDowntime(all, d, r, fault)
	if len(pd.Runs) < 2 {
		return nil, nil
	}
	var traffic []string
	for _, t := range d.Traffic {
		n := 0
		for _, pr := range pd.Runs {
			if pr.Cells[pd.Cell(d.Strategies[0], fault, t)] != nil {
				n++
			}
		}
		if n > 1 {
			traffic = append(traffic, t)
		}
	}
	if len(traffic) == 0 {
		return nil, nil
	}
	var top, bottom []*plot.Plot
	for i, t := range traffic {
		cellOf := func(s string) resultset.Cell { return pd.Cell(s, fault, t) }
		p, err := latencyPanel(pd, t+": recovery", recovery, cellOf, false)
		if err != nil {
			return nil, err
		}
		top = append(top, p)
		h := heatPanel(pd, t+": dial attempts", cellOf, medianDials, dialsHue, maxDials(pd, fault), true, i == 0)
		h.X.Label.Text = "downtime"
		bottom = append(bottom, h)
	}
	title := fmt.Sprintf("Recovery and dials against the downtime, crash, gRPC-Go %s", r.Label)
	legend := latencyLegend(pd, recovery, "missed: no recovery")
	// Columns wide enough for three downtimes and six strategies'
	// marks; the heat row as tall as its strategies.
	w := float64(len(traffic))*9.5 + 3
	h := 3.2 + 2.0 + 8.0 + 0.55*float64(len(pd.Strategies)) + 2.4
	pg := page{title: title, legend: legend, grid: [][]*plot.Plot{top, bottom}, w: vg.Length(w) * vg.Centimeter, h: vg.Length(h) * vg.Centimeter}
	return pg.figure("downtime", title,
		fmt.Sprintf("After a crash that keeps the server away for each downtime, on %s, with %s of quiet before it and %s: the median time "+
			"from the fault to the replay on the restarted server (top, with the 95%% confidence interval of the median; an × is a miss) "+
			"and the median dial attempts (bottom). gRPC-Go's reconnect backoff grows by 1.6 per failed attempt up to 120 s, so after a long "+
			"outage a channel dials seldom, and recovers later than the server is back.", r.Label, d.Conditions.Quiet, d.Conditions.Client))
}

// medianDials is a heat panel's value: the median dial attempts.
func medianDials(c *resultset.Samples) (float64, string) {
	xs := c.Values(resultset.UnitDials)
	if len(xs) == 0 {
		return math.NaN(), "–"
	}
	m := resultset.Summarize(xs).Median
	return m, fmt.Sprintf("%.3g", m)
}

// maxDials is the largest median of dial attempts of fault's cells in d.
func maxDials(d *resultset.Set, fault string) float64 {
	top := 0.0
	for _, r := range d.Runs {
		for c, s := range r.Cells {
			if c.Fault == fault {
				top = max(top, valueOf(medianDials, s))
			}
		}
	}
	return top
}

// valueOf is a heat panel value's number, 0 where there is none.
func valueOf(value func(*resultset.Samples) (float64, string), s *resultset.Samples) float64 {
	v, _ := value(s)
	if math.IsNaN(v) {
		return 0
	}
	return v
}
