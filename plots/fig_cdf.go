package plots

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/reconnbench/reconnbench/resultset"
)

// endLabels writes each curve's name and final value just right of where
// it ends, moved apart vertically where they would overlap, with a thin
// leader back to the curve.
type endLabels struct {
	x0, x  float64 // curve end, label position
	labels []endLabel
}

type endLabel struct {
	y, at float64 // the curve's end, the label's place
	text  string
	sty   draw.LineStyle
}

func (e endLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, l := range e.labels {
		sty := textStyle(9.5, l.sty.Color)
		sty.YAlign = draw.YCenter
		c.StrokeLine2(draw.LineStyle{Color: l.sty.Color, Width: vg.Points(0.6)}, trX(e.x0), trY(l.y), trX(e.x)-vg.Points(2), trY(l.at))
		c.FillText(sty, vg.Point{X: trX(e.x), Y: trY(l.at)}, l.text)
	}
}

// spread places labels no closer than gap: pushed down from the top
// where they crowd, then up from lo where that pushed them below it.
func spread(ls []endLabel, gap, lo, hi float64) {
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].y > ls[j].y })
	for i := range ls {
		ls[i].at = math.Min(ls[i].y, hi)
		if i > 0 {
			ls[i].at = math.Min(ls[i].at, ls[i-1].at-gap)
		}
	}
	for i := len(ls) - 1; i >= 0; i-- {
		ls[i].at = math.Max(ls[i].at, lo)
		if i < len(ls)-1 {
			ls[i].at = math.Max(ls[i].at, ls[i+1].at+gap)
		}
	}
}

// boundedTicks are the usual ticks up to a limit: the axis goes on beyond
// it only to make room for labels.
type boundedTicks struct{ limit float64 }

func (t boundedTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, tk := range niceTicks(min, t.limit, 7) {
		if tk.Value <= t.limit {
			out = append(out, tk)
		}
	}
	return out
}

// cdfFigure is figure 5: for one run, the fraction of cycles recovered
// within a given time, per strategy, a panel per fault, all traffic modes
// pooled. Missed cycles stay in the denominator, so a curve that ends
// below 1 shows the share that never recovered.
func cdfFigure(d *resultset.Set, run *resultset.Run) (*Figure, error) {
	var panels []*plot.Plot
	faults := restartFaults(d)
	cols := min(2, len(faults))
	for _, f := range faults {
		p := newPanel("")
		p.X.Label.Text = "seconds after the fault"
		p.Y.Label.Text = "fraction of cycles recovered"
		p.Add(plotter.NewGrid())
		type curve struct {
			s      string
			times  []float64
			cycles int
		}
		var curves []curve
		end, most := 0.0, 0
		for _, s := range d.Strategies {
			cv := curve{s: s}
			for _, t := range d.Traffic {
				c := run.Cells[d.Cell(s, f, t)]
				_, n := c.Count(resultset.UnitMissed)
				cv.cycles += n
				cv.times = append(cv.times, inSeconds(c, resultset.UnitRecover)...)
			}
			if cv.cycles == 0 {
				continue
			}
			sort.Float64s(cv.times)
			if len(cv.times) > 0 {
				end = math.Max(end, cv.times[len(cv.times)-1])
			}
			most = max(most, cv.cycles)
			curves = append(curves, cv)
		}
		if end == 0 {
			end = 1
		}
		end *= 1.05
		var labels []endLabel
		for _, cv := range curves {
			pts := plotter.XYs{{X: 0, Y: 0}}
			for i, t := range cv.times {
				pts = append(pts, plotter.XY{X: t, Y: pts[len(pts)-1].Y}, plotter.XY{X: t, Y: float64(i+1) / float64(cv.cycles)})
			}
			final := float64(len(cv.times)) / float64(cv.cycles)
			pts = append(pts, plotter.XY{X: end, Y: final})
			l, err := plotter.NewLine(pts)
			if err != nil {
				return nil, err
			}
			col, _ := strategyStyle(d, cv.s)
			l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.8)}
			p.Add(l)
			labels = append(labels, endLabel{y: final, text: fmt.Sprintf("%s %.0f%%", cv.s, 100*final), sty: l.LineStyle})
		}
		spread(labels, 0.085, 0, 1)
		p.Add(endLabels{x0: end, x: end * 1.04, labels: labels})
		p.Title.Text = fmt.Sprintf("fault: %s (%d cycles per strategy)", f, most)
		p.X.Min, p.X.Max = 0, end*1.36
		p.X.Tick.Marker = boundedTicks{end}
		p.Y.Min, p.Y.Max = 0, 1.08
		panels = append(panels, p)
	}
	var legend []legendItem
	for _, s := range d.Strategies {
		col, _ := strategyStyle(d, s)
		legend = append(legend, lineItem(s, draw.LineStyle{Color: col, Width: vg.Points(1.8)}))
	}
	grid := panelGrid(panels, cols)
	title := fmt.Sprintf("Recovery time distribution, gRPC-Go %s, traffic modes pooled (%s)", run.Label, strings.Join(d.Traffic, ", "))
	pg := page{title: title, legend: legend, grid: grid,
		w: vg.Length(15*cols) * vg.Centimeter, h: vg.Length(2.8+8*float64(len(grid))) * vg.Centimeter}
	return pg.figure("cdf", "Recovery time distribution, gRPC-Go "+run.Label,
		"Fraction of restart cycles (all traffic modes) recovered within a given time after the fault, per strategy, for one release. "+
			"Cycles that never recovered stay in the denominator: a curve that ends below 1 is the share that missed, "+
			"and the label at its end gives the share that recovered.")
}
