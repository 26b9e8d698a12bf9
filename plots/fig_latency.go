package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/reconnbench/reconnbench/resultset"
)

// latency is a time unit and the fraction unit that counts the cycles in
// which the event never happened, so never got a time.
type latency struct {
	unit, missUnit string // such as resultset.UnitRecover, resultset.UnitMissed
	missLabel      string // the band's tick label
}

var (
	recovery  = latency{resultset.UnitRecover, resultset.UnitMissed, "missed"}
	detection = latency{resultset.UnitDetect, resultset.UnitUndetected, "never"}
)

// inSeconds returns the values of a time unit, which results files hold in
// nanoseconds, in seconds: the scale of every figure and table.
func inSeconds(s *resultset.Samples, unit string) []float64 {
	ns := s.Values(unit)
	if len(ns) == 0 {
		return nil
	}
	secs := make([]float64, len(ns))
	for i, v := range ns {
		secs[i] = v / 1e9
	}
	return secs
}

// missTicks labels the value range as usual and the band above it with
// the miss label, so a miss reads as a miss on the axis itself.
type missTicks struct {
	limit, missY float64
	label        string
}

func (t missTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for _, tk := range niceTicks(0, t.limit, 5) {
		if tk.Value <= t.limit {
			ticks = append(ticks, tk)
		}
	}
	return append(ticks, plot.Tick{Value: t.missY, Label: t.label})
}

// latencyPanel draws one latency unit across releases for the cell each
// strategy gives: per strategy, the median with its confidence interval
// as a whisker, side by side within a release; where cycles never got a
// time, an × in the strategy's colour in a band of its own above every
// time, with k/n when only some did. A miss is never drawn as zero or
// left out.
func latencyPanel(d *resultset.Set, title string, m latency, cellOf func(strategy string) resultset.Cell, showX bool) (*plot.Plot, error) {
	p := newPanel(title)
	p.Y.Label.Text = "seconds after the fault"

	top := 0.0
	for _, r := range d.Runs {
		for _, s := range d.Strategies {
			if xs := inSeconds(r.Cells[cellOf(s)], m.unit); len(xs) > 0 {
				sum := resultset.Summarize(xs)
				top = math.Max(top, math.Max(sum.Hi, sum.Median))
			}
		}
	}
	if top == 0 {
		top = 1
	}
	limit, sepY, missY := top*1.08, top*1.16, top*1.27

	p.Add(categoryGrid{len(d.Runs)})
	p.Add(hLine{sepY, draw.LineStyle{Color: faintColor, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}})

	n := float64(len(d.Strategies))
	step := math.Min(0.75/n, 0.16)
	var partial plotter.XYs
	var partialText []string
	var partialStyle []text.Style
	for si, s := range d.Strategies {
		col, shape := strategyStyle(d, s)
		var pts, misses plotter.XYs
		var errs plotter.YErrors
		for ri, r := range d.Runs {
			c := r.Cells[cellOf(s)]
			if c == nil {
				continue // not measured: nothing to draw, and the report says "–"
			}
			x := float64(ri) + (float64(si)-(n-1)/2)*step
			if xs := inSeconds(c, m.unit); len(xs) > 0 {
				sum := resultset.Summarize(xs)
				pts = append(pts, plotter.XY{X: x, Y: sum.Median})
				errs = append(errs, struct{ Low, High float64 }{sum.Median - sum.Lo, sum.Hi - sum.Median})
			}
			if k, total := c.Count(m.missUnit); k > 0 {
				misses = append(misses, plotter.XY{X: x, Y: missY})
				if k < total {
					partial = append(partial, plotter.XY{X: x, Y: missY})
					partialText = append(partialText, fmt.Sprintf("%d/%d", k, total))
					sty := textStyle(8.5, col)
					sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
					partialStyle = append(partialStyle, sty)
				}
			}
		}
		if len(pts) > 0 {
			marks, err := medianMarks(pts, errs, col, shape)
			if err != nil {
				return nil, err
			}
			p.Add(marks...)
		}
		if len(misses) > 0 {
			ms, err := plotter.NewScatter(misses)
			if err != nil {
				return nil, err
			}
			ms.GlyphStyle = draw.GlyphStyle{Color: col, Shape: crossGlyph{}, Radius: vg.Points(3.6)}
			p.Add(ms)
		}
	}
	if len(partial) > 0 {
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: partial, Labels: partialText})
		if err != nil {
			return nil, err
		}
		labels.TextStyle = partialStyle
		labels.Offset = vg.Point{Y: vg.Points(5)}
		p.Add(labels)
	}
	releaseAxis(p, runLabels(d.Runs), showX)
	p.Y.Min, p.Y.Max = 0, top*1.4
	p.Y.Tick.Marker = missTicks{limit, missY, m.missLabel}
	return p, nil
}

// latencyLegend is the legend of the latency figures.
func latencyLegend(d *resultset.Set, m latency, what string) []legendItem {
	var items []legendItem
	for _, s := range d.Strategies {
		col, shape := strategyStyle(d, s)
		items = append(items, glyphItem(s, col, shape, vg.Points(3.6)))
	}
	return append(items,
		lineItem("95% CI of the median", draw.LineStyle{Color: textColor, Width: vg.Points(1.3)}),
		glyphItem(fmt.Sprintf("%s (k/n: in k of n cycles)", what), textColor, crossGlyph{}, vg.Points(3.6)))
}

// latencyPage lays out one panel per key.
func latencyPage(d *resultset.Set, title string, keys []string, legend []legendItem, panel func(k string, showX bool) (*plot.Plot, error)) (page, error) {
	cols, panelH := 2, 8.0
	switch len(keys) {
	case 1:
		cols = 1
	case 3:
		cols, panelH = 1, 6.0 // stacked, sharing the release axis, rather than a blank quarter
	}
	var panels []*plot.Plot
	for i, k := range keys {
		p, err := panel(k, showXLabels(i, len(keys), cols))
		if err != nil {
			return page{}, err
		}
		panels = append(panels, p)
	}
	grid := panelGrid(panels, cols)
	panelW := math.Max(11, 0.8*float64(len(d.Runs))+3)
	if cols == 1 {
		panelW = math.Max(panelW, 22)
	}
	w := vg.Length(panelW*float64(cols)) * vg.Centimeter
	h := vg.Length(3.2+panelH*float64(len(grid))+1.8) * vg.Centimeter
	return page{title: title, legend: legend, grid: grid, w: w, h: h}, nil
}

// recoveryFigure is figure 1: recovery time per strategy across releases,
// a panel per fault, for one traffic mode.
func recoveryFigure(d *resultset.Set, traffic string) (*Figure, error) {
	title := "Recovery time after a server restart, " + traffic + " traffic"
	pg, err := latencyPage(d, title, restartFaults(d), latencyLegend(d, recovery, "missed: no recovery"),
		func(fault string, showX bool) (*plot.Plot, error) {
			return latencyPanel(d, "fault: "+fault, recovery, func(s string) resultset.Cell { return d.Cell(s, fault, traffic) }, showX)
		})
	if err != nil {
		return nil, err
	}
	return pg.figure("recovery-"+traffic, title,
		"Median time from the fault to the replay completing on the restarted server, per strategy and release, with the 95% confidence "+
			"interval of the median as a whisker (none with fewer than 6 cycles). An × in the band marked \"missed\" is a strategy that "+
			"did not recover within the deadline, in every cycle or, labelled k/n, in k of n; it is drawn beside the median of the cycles that did.")
}

// detectionFigure is figure 4: detection time after a blackhole, a panel
// per traffic mode.
func detectionFigure(d *resultset.Set) (*Figure, error) {
	title := "Detection time after a blackhole"
	pg, err := latencyPage(d, title, d.Traffic, latencyLegend(d, detection, "never: dead connection kept"),
		func(traffic string, showX bool) (*plot.Plot, error) {
			return latencyPanel(d, "traffic: "+traffic, detection, func(s string) resultset.Cell {
				return d.Cell(s, "blackhole", traffic)
			}, showX)
		})
	if err != nil {
		return nil, err
	}
	return pg.figure("detect-blackhole", title,
		"Median time from a blackhole (the server vanishes without closing its connections) to the client giving up the dead "+
			"connection, with the 95% confidence interval of the median. An × in the band marked \"never\" is a strategy whose "+
			"client kept the dead connection to the end of the cycle.")
}

func runLabels(runs []*resultset.Run) []string {
	l := make([]string, len(runs))
	for i, r := range runs {
		l[i] = r.Label
	}
	return l
}
