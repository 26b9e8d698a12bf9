package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Figure is a rendered PNG waiting to be written.
type Figure struct {
	File    string // base name, such as recovery.png
	Title   string
	Caption string
	png     *vgimg.PngCanvas
}

// missedColor marks what did not happen: a missed recovery, an undetected
// loss.
var missedColor = color.RGBA{R: 200, G: 30, B: 30, A: 255}

// tiles draws plots on a grid into one PNG of the given size.
func tiles(grid [][]*plot.Plot, w, h vg.Length) *vgimg.PngCanvas {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	t := draw.Tiles{Rows: len(grid), Cols: len(grid[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(grid, t, dc)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	return &vgimg.PngCanvas{Canvas: img}
}

// releaseAxis labels the x axis with the runs' labels, rotated so a dozen
// releases do not overlap.
func releaseAxis(p *plot.Plot, runs []*Run) {
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.Label
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.X.Label.Text = "gRPC-Go release"
}

// strategyStyle gives each strategy the same color and glyph in every figure.
func strategyStyle(i int) (color.Color, draw.GlyphDrawer) {
	return plotutil.Color(i), plotutil.Shape(i)
}

// latencyPanel draws a latency unit of one fault and traffic mode across
// releases: the median and its confidence interval per strategy, and a
// separate mark where cycles missed (the unit's "never happened" fraction
// is above zero).
func latencyPanel(d *Dataset, title, unit, missUnit, missLabel, fault, traffic string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "seconds after the fault"
	releaseAxis(p, d.Runs)
	p.Legend.Top = true
	p.Legend.Left = true
	var top float64
	for _, r := range d.Runs {
		for _, s := range d.Strategies {
			if xs := r.Cells[Cell{s, fault, traffic}][unit]; len(xs) > 0 {
				top = math.Max(top, Summarize(xs).Hi)
			}
		}
	}
	missY := top*1.15 + 1 // the "missed" band sits above every measured value
	var partial plotter.XYs
	var partialText []string
	n := float64(len(d.Strategies))
	for si, s := range d.Strategies {
		var pts, misses plotter.XYs
		var errs plotter.YErrors
		for ri, r := range d.Runs {
			c := r.Cells[Cell{s, fault, traffic}]
			if c == nil {
				continue
			}
			x := float64(ri) + (float64(si)-(n-1)/2)*0.12 // side by side, not on top of each other
			if xs := c[unit]; len(xs) > 0 {
				sum := Summarize(xs)
				pts = append(pts, plotter.XY{X: x, Y: sum.Median})
				errs = append(errs, struct{ Low, High float64 }{sum.Median - sum.Lo, sum.Hi - sum.Median})
			}
			if frac, k := Fraction(c[missUnit]); frac > 0 {
				misses = append(misses, plotter.XY{X: x, Y: missY})
				if frac < 1 {
					partial = append(partial, plotter.XY{X: x, Y: missY})
					partialText = append(partialText, fmt.Sprintf("%.0f/%d", frac*float64(k), k))
				}
			}
		}
		col, glyph := strategyStyle(si)
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = col, glyph, vg.Points(3)
		p.Add(sc)
		p.Legend.Add(s, sc)
		if len(pts) > 0 {
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{pts, errs})
			if err != nil {
				return nil, err
			}
			eb.LineStyle.Color = col
			p.Add(eb)
		}
		if len(misses) > 0 {
			// A miss is its own mark, in the strategy's color, in a band
			// of its own above the times: never a zero, never a gap.
			ms, err := plotter.NewScatter(misses)
			if err != nil {
				return nil, err
			}
			ms.GlyphStyle.Color, ms.GlyphStyle.Shape, ms.GlyphStyle.Radius = col, draw.CrossGlyph{}, vg.Points(3.5)
			p.Add(ms)
		}
	}
	band, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: missY}, {X: float64(len(d.Runs)) - 0.5, Y: missY}})
	if err != nil {
		return nil, err
	}
	band.LineStyle.Color, band.LineStyle.Dashes = missedColor, []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(band)
	p.Legend.Add(missLabel+": × in the strategy's color (k/n: some cycles)", band)
	if len(partial) > 0 {
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: partial, Labels: partialText})
		if err != nil {
			return nil, err
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i].Color = missedColor
			labels.TextStyle[i].Font.Size = vg.Points(7)
		}
		labels.Offset = vg.Point{X: -vg.Points(6), Y: -vg.Points(12)}
		p.Add(labels)
	}
	p.Y.Min = 0
	p.Y.Max = missY * 1.6 // room for the legend above the band
	return p, nil
}

// recoveryFigure is figure 1: recovery time per strategy across releases,
// a panel per fault.
func recoveryFigure(d *Dataset, traffic string) (*Figure, error) {
	return faultPanels(d, "recovery-"+traffic+".png", "Recovery time, "+traffic+" traffic",
		"Median time from the fault to the replay completing on the restarted server, with its 95% confidence interval; red crosses mark releases where cycles missed (never recovered within the deadline), labelled with how many.",
		d.Faults, func(fault string) (*plot.Plot, error) {
			return latencyPanel(d, "fault: "+fault, "recover-sec/op", "missed/op", "missed", fault, traffic)
		})
}

// detectionFigure is figure 4: detection time for the blackhole fault, a
// panel per traffic mode.
func detectionFigure(d *Dataset) (*Figure, error) {
	return faultPanels(d, "detect-blackhole.png", "Detection time, blackhole fault",
		"Median time from a blackhole (the server vanishes without closing connections) to the client giving up the dead connection; red crosses mark strategies that never gave it up.",
		d.Traffic, func(traffic string) (*plot.Plot, error) {
			return latencyPanel(d, "traffic: "+traffic, "detect-sec/op", "undetected/op", "never detected", "blackhole", traffic)
		})
}

// faultPanels lays out one panel per key, two columns wide.
func faultPanels(d *Dataset, file, title, caption string, keys []string, panel func(string) (*plot.Plot, error)) (*Figure, error) {
	cols := 2
	rows := (len(keys) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, k := range keys {
		p, err := panel(k)
		if err != nil {
			return nil, err
		}
		grid[i/cols][i%cols] = p
	}
	w := vg.Length(8+0.9*float64(len(d.Runs))) * vg.Centimeter * 2
	return &Figure{File: file, Title: title, Caption: caption, png: tiles(grid, w, vg.Length(rows)*12*vg.Centimeter)}, nil
}

// gridPlotter draws a strategy × release table of colored cells with a
// value written in each.
type gridPlotter struct {
	values [][]float64 // [strategy][run]; NaN where there is no data
	text   [][]string
	max    float64 // the value drawn in full color
}

func (g gridPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for si := range g.values {
		for ri, v := range g.values[si] {
			x0, x1 := trX(float64(ri)-0.5), trX(float64(ri)+0.5)
			y0, y1 := trY(float64(si)-0.5), trY(float64(si)+0.5)
			fill := color.Color(color.Gray{Y: 235})
			if !math.IsNaN(v) {
				f := 0.0
				if g.max > 0 {
					f = math.Min(v/g.max, 1)
				}
				fill = color.RGBA{R: 255, G: uint8(255 - 200*f), B: uint8(255 - 200*f), A: 255}
			}
			rect := c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			c.FillPolygon(fill, rect)
			sty := draw.TextStyle{Color: color.Black, Font: plot.DefaultFont, Handler: plot.DefaultTextHandler,
				XAlign: draw.XCenter, YAlign: draw.YCenter}
			sty.Font.Size = vg.Points(7)
			c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, g.text[si][ri])
		}
	}
}

func (g gridPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(g.values[0])) - 0.5, -0.5, float64(len(g.values)) - 0.5
}

// gridPanel is one strategy × release table of a unit of one cell.
func gridPanel(d *Dataset, title, fault, traffic string, value func(Samples) (float64, string)) *plot.Plot {
	g := gridPlotter{}
	for _, s := range d.Strategies {
		var vals []float64
		var text []string
		for _, r := range d.Runs {
			c := r.Cells[Cell{s, fault, traffic}]
			if c == nil {
				vals, text = append(vals, math.NaN()), append(text, "")
				continue
			}
			v, t := value(c)
			vals, text = append(vals, v), append(text, t)
			if !math.IsNaN(v) {
				g.max = math.Max(g.max, v)
			}
		}
		g.values, g.text = append(g.values, vals), append(g.text, text)
	}
	p := plot.New()
	p.Title.Text = title
	p.Add(g)
	releaseAxis(p, d.Runs)
	p.NominalY(d.Strategies...)
	p.Y.Label.Text = "strategy"
	return p
}

// missedFigure is figure 2: the fraction of missed recoveries, strategy ×
// release, a panel per fault and traffic mode.
func missedFigure(d *Dataset) *Figure {
	grid := make([][]*plot.Plot, len(d.Faults))
	for i, f := range d.Faults {
		for _, t := range d.Traffic {
			grid[i] = append(grid[i], gridPanel(d, f+", "+t+" traffic", f, t, func(s Samples) (float64, string) {
				frac, k := Fraction(s["missed/op"])
				if k == 0 {
					return math.NaN(), ""
				}
				if frac == 0 {
					return 0, "0"
				}
				return frac, fmt.Sprintf("%.2g", frac)
			}))
		}
	}
	w := vg.Length(len(d.Traffic)) * vg.Length(6+0.75*float64(len(d.Runs))) * vg.Centimeter
	return &Figure{File: "missed.png", Title: "Missed recoveries",
		Caption: "Fraction of restart cycles in which the strategy never replayed to the restarted server, per fault (rows) and traffic mode (columns).",
		png:     tiles(grid, w, vg.Length(len(d.Faults))*7*vg.Centimeter)}
}

// dialsFigure is figure 3: dial attempts per restart, strategy × release,
// a panel per fault, for one traffic mode.
func dialsFigure(d *Dataset, traffic string) *Figure {
	return panelsOf(d, "dials-"+traffic+".png", "Dial attempts per restart, "+traffic+" traffic",
		"Median number of dial attempts the network saw from the fault to the end of the cycle (accepted, refused or timed out), counted by the simulated network, not by the strategy.",
		func(f string) *plot.Plot {
			return gridPanel(d, "fault: "+f, f, traffic, func(s Samples) (float64, string) {
				xs := s["dials/op"]
				if len(xs) == 0 {
					return math.NaN(), ""
				}
				m := Summarize(xs).Median
				return m, fmt.Sprintf("%.3g", m)
			})
		})
}

func panelsOf(d *Dataset, file, title, caption string, panel func(fault string) *plot.Plot) *Figure {
	cols := 2
	rows := (len(d.Faults) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, f := range d.Faults {
		grid[i/cols][i%cols] = panel(f)
	}
	w := 2 * vg.Length(6+0.75*float64(len(d.Runs))) * vg.Centimeter
	return &Figure{File: file, Title: title, Caption: caption, png: tiles(grid, w, vg.Length(rows)*8*vg.Centimeter)}
}

// cdfFigure is figure 5: the distribution of recovery times per strategy
// for one run, over every fault and traffic mode. Missed cycles count in
// the denominator, so a curve that stays below 1 shows how often the
// strategy never recovered.
func cdfFigure(d *Dataset, run *Run) (*Figure, error) {
	p := plot.New()
	p.Title.Text = "Recovery time distribution, gRPC-Go " + run.Label + ", every fault and traffic mode"
	p.X.Label.Text = "seconds after the fault"
	p.Y.Label.Text = "fraction of cycles recovered"
	p.Y.Min, p.Y.Max = 0, 1.05
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Millimeter * 2
	p.Legend.YOffs = vg.Millimeter * 2
	for si, s := range d.Strategies {
		var times []float64
		cycles := 0
		for c, samples := range run.Cells {
			if c.Strategy != s {
				continue
			}
			cycles += len(samples["missed/op"])
			times = append(times, samples["recover-sec/op"]...)
		}
		if cycles == 0 {
			continue
		}
		sort.Float64s(times)
		pts := plotter.XYs{{X: 0, Y: 0}}
		for i, t := range times {
			pts = append(pts, plotter.XY{X: t, Y: pts[len(pts)-1].Y}, plotter.XY{X: t, Y: float64(i+1) / float64(cycles)})
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		col, _ := strategyStyle(si)
		l.LineStyle.Color, l.LineStyle.Width = col, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (%d%% recovered)", s, int(math.Round(100*float64(len(times))/float64(cycles)))), l)
	}
	p.Add(plotter.NewGrid())
	img := vgimg.New(18*vg.Centimeter, 11*vg.Centimeter)
	p.Draw(draw.New(img))
	return &Figure{File: "cdf.png", Title: "Recovery time distribution, " + run.Label,
		Caption: "Fraction of all cycles (every fault and traffic mode) recovered within a given time; a curve that ends below 1 is the share of cycles that never recovered.",
		png:     &vgimg.PngCanvas{Canvas: img}}, nil
}

// throughputFigure is figure 6: replay throughput across releases, one
// panel per replay mode, or nil when no run has throughput results.
func throughputFigure(d *Dataset) (*Figure, error) {
	modes := map[string]bool{}
	for _, r := range d.Runs {
		for k := range r.Replay {
			_, mode, _ := strings.Cut(k, "/")
			modes[mode] = true
		}
	}
	if len(modes) == 0 {
		return nil, nil
	}
	var row []*plot.Plot
	for _, mode := range keys(modes) {
		p := plot.New()
		p.Title.Text = "replay mode: " + mode
		p.Y.Label.Text = "messages per second"
		releaseAxis(p, d.Runs)
		p.Legend.Top = true
		for si, s := range d.Strategies {
			var pts plotter.XYs
			var errs plotter.YErrors
			for ri, r := range d.Runs {
				xs := r.Replay[s+"/"+mode]["msgs/s"]
				if len(xs) == 0 {
					continue
				}
				sum := Summarize(xs)
				pts = append(pts, plotter.XY{X: float64(ri) + (float64(si)-2)*0.12, Y: sum.Median})
				errs = append(errs, struct{ Low, High float64 }{sum.Median - sum.Lo, sum.Hi - sum.Median})
			}
			if len(pts) == 0 {
				continue
			}
			col, glyph := strategyStyle(si)
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = col, glyph, vg.Points(3)
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{pts, errs})
			if err != nil {
				return nil, err
			}
			eb.LineStyle.Color = col
			p.Add(sc, eb)
			p.Legend.Add(s, sc)
		}
		p.Y.Min = 0
		row = append(row, p)
	}
	w := vg.Length(len(row)) * vg.Length(6+0.9*float64(len(d.Runs))) * vg.Centimeter
	return &Figure{File: "throughput.png", Title: "Replay throughput",
		Caption: "Median messages per second of a replay of the default log (1,000 × 256 B) right after a reconnect, on the real clock over netsim's local link, with its 95% confidence interval.",
		png:     tiles([][]*plot.Plot{row}, w, 11*vg.Centimeter)}, nil
}

// write renders fig into dir under a temporary name and renames it into
// place, so a figure is either complete or absent.
func (fig *Figure) write(dir string) error {
	f, err := os.CreateTemp(dir, "."+fig.File+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := fig.png.WriteTo(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("%s: %w", fig.File, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), filepath.Join(dir, fig.File))
}
