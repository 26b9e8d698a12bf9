package plots

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/reconnbench/reconnbench/resultset"
)

// throughputMetric is what the throughput figure plots: messages per
// second where the benchmark reports it, else bytes per second, else
// replays per second from the time per op.
type throughputMetric struct {
	unit, axis string
	of         func(float64) float64
}

var throughputMetrics = []throughputMetric{
	{resultset.UnitMsgsPerS, "messages per second", func(v float64) float64 { return v }},
	{resultset.UnitMBPerSec, "MB per second", func(v float64) float64 { return v }},
	{resultset.UnitNsPerOp, "replays per second", func(v float64) float64 { return 1e9 / v }},
}

// pickThroughput returns the first metric every result has.
func pickThroughput(d *resultset.Set) (throughputMetric, bool) {
	for _, m := range throughputMetrics {
		ok := true
		for _, t := range d.Throughput {
			for _, s := range t.Bench {
				if len(s.Values(m.unit)) == 0 {
					ok = false
				}
			}
		}
		if ok {
			return m, true
		}
	}
	return throughputMetric{}, false
}

// throughputFigure is figure 6: replay throughput across releases, a
// panel per replay mode; nil when the results have no BenchmarkReplay
// lines.
func throughputFigure(d *resultset.Set) (*Figure, error) {
	if len(d.Throughput) == 0 {
		return nil, nil
	}
	metric, ok := pickThroughput(d)
	if !ok {
		metric = throughputMetrics[0]
	}
	// Replays are measured per mode, and in older results per strategy
	// and mode: a series per strategy where the names have one.
	modeSet, stratSet := map[string]bool{}, map[string]bool{}
	for _, t := range d.Throughput {
		for k := range t.Bench {
			n, err := resultset.ParseName(k)
			if err != nil {
				return nil, err
			}
			modeSet[n.Get("mode")], stratSet[n.Get("strategy")] = true, true
		}
	}
	modes := slices.Sorted(maps.Keys(modeSet))
	sort.SliceStable(modes, func(i, j int) bool { return modes[i] == "stream" }) // the way replays are meant to run
	labels := make([]string, len(d.Throughput))
	for i, t := range d.Throughput {
		labels[i] = t.Label
	}
	strategies := slices.Sorted(maps.Keys(stratSet))
	n := float64(len(strategies))
	step := math.Min(0.75/n, 0.16)
	var panels []*plot.Plot
	for _, mode := range modes {
		p := newPanel("replay over " + mode + map[bool]string{true: " calls", false: ""}[mode == "unary"])
		p.Y.Label.Text = metric.axis
		p.Add(categoryGrid{len(labels)})
		top := 0.0
		for si, s := range strategies {
			col, shape := strategyStyle(d, s)
			var pts plotter.XYs
			var errs plotter.YErrors
			for ti, t := range d.Throughput {
				xs := t.Bench[replayName(s, mode)].Values(metric.unit)
				if len(xs) == 0 {
					continue
				}
				conv := make([]float64, len(xs))
				for i, v := range xs {
					conv[i] = metric.of(v)
				}
				sum := resultset.Summarize(conv)
				top = math.Max(top, sum.Hi)
				pts = append(pts, plotter.XY{X: float64(ti) + (float64(si)-(n-1)/2)*step, Y: sum.Median})
				errs = append(errs, struct{ Low, High float64 }{sum.Median - sum.Lo, sum.Hi - sum.Median})
			}
			if len(pts) == 0 {
				continue
			}
			marks, err := medianMarks(pts, errs, col, shape)
			if err != nil {
				return nil, err
			}
			p.Add(marks...)
		}
		releaseAxis(p, labels, true)
		p.Y.Min, p.Y.Max = 0, top*1.1
		p.Y.Tick.Marker = siTicks{}
		panels = append(panels, p)
	}
	var legend []legendItem
	for _, s := range strategies {
		col, shape := strategyStyle(d, s)
		name := s
		if s == "" {
			name = "median" // measured per mode: every strategy replays through the same client
		}
		legend = append(legend, glyphItem(name, col, shape, vg.Points(3.6)))
	}
	legend = append(legend, lineItem("95% CI of the median", draw.LineStyle{Color: textColor, Width: vg.Points(1.3)}))
	cols := min(2, len(panels))
	grid := panelGrid(panels, cols)
	panelW := math.Max(11, 0.8*float64(len(labels))+3)
	title := "Replay throughput after a reconnect"
	pg := page{title: title, legend: legend, grid: grid,
		w: vg.Length(panelW*float64(cols)) * vg.Centimeter, h: vg.Length(3+9*float64(len(grid))) * vg.Centimeter}
	return pg.figure("throughput", title,
		"Median "+metric.axis+" of a replay of the client's log right after a reconnect (BenchmarkReplay, real clock), per release "+
			"(and per strategy, in results that measured each), on one client stream and as unary calls, with the 95% confidence interval of the median.")
}

// siTicks label large numbers as 400k or 1.2M rather than 400000.
type siTicks struct{}

func (siTicks) Ticks(min, max float64) []plot.Tick {
	ticks := (plot.DefaultTicks{}).Ticks(min, max)
	for i, t := range ticks {
		if t.Label == "" {
			continue
		}
		switch v := math.Abs(t.Value); {
		case v >= 1e6:
			ticks[i].Label = strconv.FormatFloat(t.Value/1e6, 'g', 3, 64) + "M"
		case v >= 1e3:
			ticks[i].Label = strconv.FormatFloat(t.Value/1e3, 'g', 3, 64) + "k"
		default:
			ticks[i].Label = strconv.FormatFloat(t.Value, 'g', 3, 64)
		}
	}
	return ticks
}

// replayName is the name of BenchmarkReplay for a mode, and for a strategy
// where older results have one.
func replayName(strategy, mode string) string {
	n := resultset.Name{Base: resultset.Replay}
	if strategy != "" {
		n.Keys = append(n.Keys, resultset.Key{Key: "strategy", Value: strategy})
	}
	n.Keys = append(n.Keys, resultset.Key{Key: "mode", Value: mode})
	return n.String()
}
