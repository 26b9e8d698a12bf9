package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/reconnbench/reconnbench/resultset"
)

// heatmap draws a strategy × release table of coloured cells with the
// value written in each; the first row is drawn at the top.
type heatmap struct {
	vals [][]float64 // [row][column]; NaN where nothing was measured
	text [][]string
	max  float64    // the value drawn in full colour
	full color.RGBA // that colour; 0 is white
}

var (
	zeroFill    = color.Gray{Y: 246} // just visible, so the table reads as a table
	notMeasured = color.Gray{Y: 205}
)

func (h heatmap) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	rows := len(h.vals)
	for ri, row := range h.vals {
		y := float64(rows - 1 - ri)
		for ci, v := range row {
			x0, x1 := trX(float64(ci)-0.5)+0.75, trX(float64(ci)+0.5)-0.75
			y0, y1 := trY(y-0.5)+0.75, trY(y+0.5)-0.75
			fill, ink := color.Color(notMeasured), color.Color(textColor)
			switch f := h.shade(v); {
			case math.IsNaN(v):
			case v == 0:
				fill, ink = zeroFill, color.Color(faintColor)
			default:
				fill = mix(h.full, f)
				if f > 0.6 {
					ink = color.White
				}
			}
			c.FillPolygon(fill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			sty := textStyle(9, ink)
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
			c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, h.text[ri][ci])
		}
	}
}

// shade maps v to [0.15, 1] so that any non-zero value is visibly tinted.
func (h heatmap) shade(v float64) float64 {
	if h.max <= 0 || math.IsNaN(v) || v <= 0 {
		return 0
	}
	return 0.15 + 0.85*math.Min(v/h.max, 1)
}

// mix blends white towards full by f.
func mix(full color.RGBA, f float64) color.Color {
	blend := func(c uint8) uint8 { return uint8(math.Round(255 - (255-float64(c))*f)) }
	return color.RGBA{R: blend(full.R), G: blend(full.G), B: blend(full.B), A: 255}
}

func (h heatmap) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(h.vals[0])) - 0.5, -0.5, float64(len(h.vals)) - 0.5
}

// heatPanel is the strategy × release table of one value per cell.
func heatPanel(d *resultset.Set, title string, cellOf func(string) resultset.Cell, value func(*resultset.Samples) (float64, string),
	full color.RGBA, max float64, showX, showY bool) *plot.Plot {
	h := heatmap{max: max, full: full}
	for _, s := range d.Strategies {
		var vals []float64
		var text []string
		for _, r := range d.Runs {
			c := r.Cells[cellOf(s)]
			switch {
			case c == nil:
				vals, text = append(vals, math.NaN()), append(text, "–")
				continue
			case c.Inapplicable():
				vals, text = append(vals, math.NaN()), append(text, "n/a")
				continue
			}
			v, t := value(c)
			vals, text = append(vals, v), append(text, t)
		}
		h.vals, h.text = append(h.vals, vals), append(h.text, text)
	}
	p := newPanel(title)
	p.Add(h)
	releaseAxis(p, runLabels(d.Runs), showX)
	p.X.Tick.Label.Rotation = math.Pi / 3 // steeper: cells are narrower than the latency figures' categories
	rev := slices.Clone(d.Strategies)
	slices.Reverse(rev)
	p.NominalY(rev...)
	p.Y.Min, p.Y.Max = -0.5, float64(len(rev))-0.5
	p.Y.Tick.Length, p.X.Tick.Length = 0, 0
	p.Y.Color, p.X.Color = color.Transparent, color.Transparent
	if !showY {
		p.Y.Tick.Marker = plot.ConstantTicks(unlabelled(rev))
	}
	return p
}

// heatPage lays out heat panels, cells of a fixed size.
func heatPage(d *resultset.Set, title string, legend []legendItem, grid [][]*plot.Plot) page {
	cols := len(grid[0])
	cellW, cellH := 0.7, 0.55
	w := float64(cols)*(cellW*float64(len(d.Runs))+0.9) + 3.0
	h := float64(len(grid))*(cellH*float64(len(d.Strategies))+1.2) + 3.2 + 2.0
	return page{title: title, legend: legend, grid: grid, w: vg.Length(w) * vg.Centimeter, h: vg.Length(h) * vg.Centimeter}
}

var (
	missedHue = color.RGBA{R: 200, G: 30, B: 30, A: 255}
	dialsHue  = color.RGBA{R: 0x00, G: 0x5A, B: 0x9C, A: 255}
)

// missedFigure is figure 2: the fraction of restart cycles that never
// recovered, strategy × release, a panel per fault (rows) and traffic
// mode (columns).
func missedFigure(d *resultset.Set) (*Figure, error) {
	var grid [][]*plot.Plot
	for fi, f := range d.Faults {
		var row []*plot.Plot
		for ti, t := range d.Traffic {
			row = append(row, heatPanel(d, f+", "+t+" traffic", func(s string) resultset.Cell { return d.Cell(s, f, t) },
				func(c *resultset.Samples) (float64, string) {
					k, n := c.Count(resultset.UnitMissed)
					if n == 0 {
						return math.NaN(), "–"
					}
					frac := float64(k) / float64(n)
					return frac, fraction(frac)
				}, missedHue, 1, fi == len(d.Faults)-1, ti == 0))
		}
		grid = append(grid, row)
	}
	title := "Missed recoveries: fraction of restart cycles that never recovered"
	legend := []legendItem{
		boxItem("0: recovered every cycle", zeroFill),
		boxItem("some cycles missed", mix(missedHue, 0.15+0.85*0.3)),
		boxItem("1: missed every cycle", mix(missedHue, 1)),
		boxItem("–: not measured; n/a: does not apply to the release", notMeasured),
	}
	return heatPage(d, title, legend, grid).figure("missed", "Missed recoveries",
		"Fraction of restart cycles in which the strategy never replayed its log to the restarted server within the deadline, "+
			"strategy × release, per fault (rows) and traffic mode (columns).")
}

// fraction writes a fraction in at most four characters.
func fraction(f float64) string {
	switch f {
	case 0:
		return "0"
	case 1:
		return "1"
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

// dialsFigure is figure 3: median dial attempts per restart cycle,
// strategy × release, a panel per fault, for one traffic mode.
func dialsFigure(d *resultset.Set, traffic string) (*Figure, error) {
	median := medianDials
	top := 0.0
	for _, r := range d.Runs {
		for c, s := range r.Cells {
			if c.Traffic == traffic {
				top = max(top, valueOf(median, s))
			}
		}
	}
	cols := min(2, len(d.Faults))
	var panels []*plot.Plot
	for i, f := range d.Faults {
		panels = append(panels, heatPanel(d, "fault: "+f, func(s string) resultset.Cell { return d.Cell(s, f, traffic) }, median,
			dialsHue, top, showXLabels(i, len(d.Faults), cols), i%cols == 0))
	}
	title := "Dial attempts per restart cycle, " + traffic + " traffic"
	legend := []legendItem{
		boxItem("0 dials", zeroFill),
		boxItem(fmt.Sprintf("median dials, darker is more (up to %s)", strconv.FormatFloat(top, 'g', 3, 64)), mix(dialsHue, 0.6)),
		boxItem("–: not measured; n/a: does not apply to the release", notMeasured),
	}
	return heatPage(d, title, legend, panelGrid(panels, cols)).figure("dials-"+traffic, title,
		"Median number of dial attempts the simulated network saw from the fault to the end of the cycle (accepted, refused "+
			"or timed out), counted by the network, not by the strategy. A flap restarts the server three times.")
}
