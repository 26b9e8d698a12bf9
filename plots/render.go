package plots

import (
	"bytes"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/reconnbench/reconnbench/resultset"
)

// Figure is one figure, drawn in memory and waiting to be written as
// <Name>.png and <Name>.svg.
type Figure struct {
	Name     string
	Title    string
	Caption  string
	PNG, SVG []byte
}

// dpi of the PNGs: with the sizes below, figures come out 1,000 to 1,300
// pixels wide, which GitHub shows at full column width with legible text.
const dpi = 96

func init() {
	// A sans-serif face reads better than the default serif at small
	// sizes; Liberation Sans ships with gonum/plot.
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
}

var (
	textColor  = color.Gray{Y: 20}
	faintColor = color.Gray{Y: 150}
	gridColor  = color.Gray{Y: 228}
	missColor  = color.RGBA{R: 200, G: 30, B: 30, A: 255}
)

// palette is Okabe and Ito's colour-blind safe set, strongest first.
var palette = []color.Color{
	color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 255}, // blue
	color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 255}, // vermillion
	color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 255}, // bluish green
	color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 255}, // reddish purple
	color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 255}, // orange
	color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 255}, // sky blue
	color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 255}, // near black
	color.RGBA{R: 0x99, G: 0x88, B: 0x22, A: 255}, // olive
}

// shapes pair with palette so that strategies differ in print too.
var shapes = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, polyGlyph{diamond},
	polyGlyph{downTriangle}, ringGlyph{}, polyGlyph{hexagon}, crossGlyph{},
}

// strategyStyle gives a strategy the same colour and shape in every
// figure: by its place among the strategies measured.
func strategyStyle(d *resultset.Set, s string) (color.Color, draw.GlyphDrawer) {
	i := max(slices.Index(d.Strategies, s), 0)
	return palette[i%len(palette)], shapes[i%len(shapes)]
}

// Unit polygons for polyGlyph, radius 1.
var (
	diamond      = []vg.Point{{X: 0, Y: 1.25}, {X: 1, Y: 0}, {X: 0, Y: -1.25}, {X: -1, Y: 0}}
	downTriangle = []vg.Point{{X: -1.1, Y: 0.7}, {X: 1.1, Y: 0.7}, {X: 0, Y: -1.2}}
	hexagon      = func() []vg.Point {
		var p []vg.Point
		for i := range 6 {
			a := float64(i) * math.Pi / 3
			p = append(p, vg.Point{X: vg.Length(math.Cos(a)), Y: vg.Length(math.Sin(a))})
		}
		return p
	}()
)

// polyGlyph is a filled polygon scaled by the glyph radius.
type polyGlyph struct{ pts []vg.Point }

func (g polyGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.Fill(polygon(g.pts, pt, sty.Radius))
}

// polygon is the closed path through the unit points pts, scaled by r and
// centred on pt.
func polygon(pts []vg.Point, pt vg.Point, r vg.Length) vg.Path {
	var p vg.Path
	for i, q := range pts {
		q = vg.Point{X: pt.X + q.X*r, Y: pt.Y + q.Y*r}
		if i == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	return p
}

// medianMarks are a series' medians as marks with their confidence
// intervals as whiskers, in the series' colour and shape.
func medianMarks(pts plotter.XYs, errs plotter.YErrors, col color.Color, shape draw.GlyphDrawer) ([]plot.Plotter, error) {
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{pts, errs})
	if err != nil {
		return nil, err
	}
	eb.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.3)}
	eb.CapWidth = vg.Points(5)
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: col, Shape: shape, Radius: vg.Points(3.6)}
	return []plot.Plotter{eb, sc}, nil
}

// crossGlyph is an × with strokes thick enough to see at a glance: the
// mark of a miss.
type crossGlyph struct{}

func (crossGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: sty.Radius / 2.5})
	r := sty.Radius
	var p vg.Path
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
	c.Stroke(p)
}

// ringGlyph is an open circle with a visible stroke.
type ringGlyph struct{}

func (ringGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: sty.Radius / 3})
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}

// textStyle is the figures' text in points.
func textStyle(size float64, c color.Color) text.Style {
	return text.Style{Color: c, Font: font.From(plot.DefaultFont, vg.Points(size)), Handler: plot.DefaultTextHandler}
}

// newPanel is a plot with the figures' type sizes and no legend of its
// own: every figure has one legend, above its panels, so that no legend
// covers data.
func newPanel(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.Title.TextStyle.Color = textColor
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Label.TextStyle.Color = textColor
		a.Tick.Label.Font.Size = vg.Points(10)
		a.Tick.Label.Color = textColor
		a.Color, a.Tick.Color = faintColor, faintColor
		a.Padding = vg.Points(3)
	}
	return p
}

// releaseAxis makes x a category axis of releases, labels rotated so
// that a dozen releases never overlap; show false leaves the labels to the
// panel below.
func releaseAxis(p *plot.Plot, labels []string, show bool) {
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.6, float64(len(labels))-0.4
	p.X.Tick.Label.Rotation = math.Pi / 5
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.X.Tick.Label.Font.Size = vg.Points(10)
	p.X.Label.Text = "gRPC-Go release"
	if !show {
		p.X.Label.Text = ""
		p.X.Tick.Marker = plot.ConstantTicks(unlabelled(labels))
	}
}

// unlabelled is a tick per category, without text.
func unlabelled(labels []string) []plot.Tick {
	ticks := make([]plot.Tick, len(labels))
	for i := range ticks {
		ticks[i].Value = float64(i)
	}
	return ticks
}

// categoryGrid draws faint lines between categories (releases) so that
// the marks of one release read as a group.
type categoryGrid struct{ n int }

func (g categoryGrid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for i := 0; i < g.n-1; i++ {
		x := trX(float64(i) + 0.5)
		c.StrokeLine2(draw.LineStyle{Color: gridColor, Width: vg.Points(0.8)}, x, c.Min.Y, x, c.Max.Y)
	}
}

// hLine draws a horizontal line across the panel at y.
type hLine struct {
	y     float64
	style draw.LineStyle
}

func (h hLine) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.y)
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

// legendItem is one entry of a figure's legend.
type legendItem struct {
	label string
	thumb func(c draw.Canvas) // draws the sample mark inside c
}

func glyphItem(label string, col color.Color, shape draw.GlyphDrawer, r vg.Length) legendItem {
	return legendItem{label, func(c draw.Canvas) {
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: col, Shape: shape, Radius: r}, c.Center())
	}}
}

func lineItem(label string, sty draw.LineStyle) legendItem {
	return legendItem{label, func(c draw.Canvas) {
		y := c.Center().Y
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}}
}

func boxItem(label string, fill color.Color) legendItem {
	return legendItem{label, func(c draw.Canvas) {
		r := c.Rectangle
		r.Min.Y += 2
		r.Max.Y -= 2
		c.FillPolygon(fill, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
		c.StrokeLines(draw.LineStyle{Color: faintColor, Width: vg.Points(0.5)},
			[]vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
	}}
}

// page is a figure's layout: a title, one legend in rows under it, and a
// grid of panels whose data areas line up. nil panels stay blank.
type page struct {
	title  string
	legend []legendItem
	grid   [][]*plot.Plot
	w, h   vg.Length
}

const margin = 0.35 * vg.Centimeter

// render draws the page once onto a PNG and an SVG canvas together.
func (pg page) render() (pngData, svgData []byte, err error) {
	img := vgimg.NewWith(vgimg.UseWH(pg.w, pg.h), vgimg.UseDPI(dpi))
	svg := vgsvg.New(pg.w, pg.h)
	c := draw.NewCanvas(vg.MultiCanvas(img, svg), pg.w, pg.h)
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())

	top := c.Max.Y - margin
	if pg.title != "" {
		sty := textStyle(15, textColor)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: top}, pg.title)
		top -= sty.Height(pg.title) + vg.Points(6)
	}
	top = drawLegend(c, pg.legend, top)

	area := c
	area.Max.Y = top
	area.Min.X += margin
	area.Max.X -= margin
	area.Min.Y += margin
	rows, cols := len(pg.grid), 0
	for _, r := range pg.grid {
		cols = max(cols, len(r))
	}
	if rows > 0 && cols > 0 {
		t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Centimeter * 0.8, PadY: vg.Centimeter * 0.5}
		canvases := plot.Align(pg.grid, t, area)
		trueUp(pg.grid, canvases)
		for i, row := range pg.grid {
			for j, p := range row {
				if p != nil {
					p.Draw(canvases[i][j])
				}
			}
		}
	}

	var pb, sb bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&pb); err != nil {
		return nil, nil, err
	}
	if _, err := svg.WriteTo(&sb); err != nil {
		return nil, nil, err
	}
	return pb.Bytes(), sb.Bytes(), nil
}

// trueUp finishes plot.Align's work: Align corrects each tile by how much
// its data area differs from the others', but a plot pads its data area by
// how far tick labels stick out of it, which does not scale with the tile,
// so panels with and without axis labels (the first column, the last row)
// can end up a few points off. Shrinking every tile to the data area its
// row and column share, a few times over, makes them line up exactly.
func trueUp(grid [][]*plot.Plot, cs [][]draw.Canvas) {
	data := func(i, j int) vg.Rectangle { return grid[i][j].DataCanvas(cs[i][j]).Rectangle }
	for range 4 {
		for i, row := range grid {
			var bottom, top vg.Length = -1e9, 1e9
			for j, p := range row {
				if p != nil {
					r := data(i, j)
					bottom, top = max(bottom, r.Min.Y), min(top, r.Max.Y)
				}
			}
			for j, p := range row {
				if p != nil {
					r := data(i, j)
					cs[i][j].Min.Y += bottom - r.Min.Y
					cs[i][j].Max.Y -= r.Max.Y - top
				}
			}
		}
		for j := range grid[0] {
			var left, right vg.Length = -1e9, 1e9
			for i := range grid {
				if grid[i][j] != nil {
					r := data(i, j)
					left, right = max(left, r.Min.X), min(right, r.Max.X)
				}
			}
			for i := range grid {
				if grid[i][j] != nil {
					r := data(i, j)
					cs[i][j].Min.X += left - r.Min.X
					cs[i][j].Max.X -= r.Max.X - right
				}
			}
		}
	}
}

// drawLegend lays the items out in centred rows under y and returns where
// the rows end.
func drawLegend(c draw.Canvas, items []legendItem, y vg.Length) vg.Length {
	if len(items) == 0 {
		return y
	}
	sty := textStyle(11, textColor)
	sty.YAlign = draw.YCenter
	thumbW, gap, sep := vg.Points(22), vg.Points(5), vg.Points(18)
	rowH := sty.Height("Mg") + vg.Points(5)
	width := func(it legendItem) vg.Length { return thumbW + gap + sty.Width(it.label) }
	avail := c.Max.X - c.Min.X - 2*margin
	var rows [][]legendItem
	var w vg.Length
	for _, it := range items {
		if n := len(rows); n > 0 && w+sep+width(it) <= avail {
			rows[n-1] = append(rows[n-1], it)
			w += sep + width(it)
			continue
		}
		rows = append(rows, []legendItem{it})
		w = width(it)
	}
	for _, row := range rows {
		var rw vg.Length
		for i, it := range row {
			if i > 0 {
				rw += sep
			}
			rw += width(it)
		}
		x := (c.Min.X+c.Max.X)/2 - rw/2
		mid := y - rowH/2
		for _, it := range row {
			thumb := c
			thumb.Rectangle = vg.Rectangle{Min: vg.Point{X: x, Y: mid - rowH/2 + 2}, Max: vg.Point{X: x + thumbW, Y: mid + rowH/2 - 2}}
			it.thumb(thumb)
			c.FillText(sty, vg.Point{X: x + thumbW + gap, Y: mid}, it.label)
			x += width(it) + sep
		}
		y -= rowH
	}
	return y - vg.Points(8)
}

// figure renders pg into a Figure.
func (pg page) figure(name, title, caption string) (*Figure, error) {
	pngData, svgData, err := pg.render()
	if err != nil {
		return nil, err
	}
	return &Figure{Name: name, Title: title, Caption: caption, PNG: pngData, SVG: svgData}, nil
}

// panelGrid lays panels out cols wide.
func panelGrid(panels []*plot.Plot, cols int) [][]*plot.Plot {
	var grid [][]*plot.Plot
	for i, p := range panels {
		if i%cols == 0 {
			grid = append(grid, make([]*plot.Plot, cols))
		}
		grid[len(grid)-1][i%cols] = p
	}
	return grid
}

// showXLabels reports whether panel i of n, laid out cols wide, has no
// panel below it and so carries the release labels.
func showXLabels(i, n, cols int) bool { return i+cols >= n }

// niceTicks labels [lo, hi] about every (hi-lo)/want in steps of 1, 2,
// 2.5 or 5 times a power of ten: gonum's default labels only three or
// four ticks, too few to read a time off a wide axis.
func niceTicks(lo, hi float64, want int) []plot.Tick {
	span := hi - lo
	if span <= 0 || want <= 0 || math.IsNaN(span) || math.IsInf(span, 0) {
		return nil
	}
	raw := span / float64(want)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	if step/math.Pow(10, math.Floor(math.Log10(step)+1e-9)) == 2.5 {
		decimals++
	}
	var ticks []plot.Tick
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
		v := k*step + 0 // no "-0"
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if mid := v + step/2; mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid}) // a minor tick between labels
		}
	}
	return ticks
}
