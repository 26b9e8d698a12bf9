package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/reconnbench/reconnbench/resultset"
)

// stateColors fill the connectivity-state bar of a timeline row.
var stateColors = []struct {
	state string
	color color.Color
}{
	{"READY", color.RGBA{R: 0x8F, G: 0xD1, B: 0x9E, A: 255}},
	{"CONNECTING", color.RGBA{R: 0xF5, G: 0xD7, B: 0x6E, A: 255}},
	{"TRANSIENT_FAILURE", color.RGBA{R: 0xF0, G: 0x8C, B: 0x6C, A: 255}},
	{"IDLE", color.RGBA{R: 0xD0, G: 0xD0, B: 0xD0, A: 255}},
	{"SHUTDOWN", color.RGBA{R: 0x70, G: 0x70, B: 0x70, A: 255}},
}

func stateColor(s string) color.Color {
	for _, sc := range stateColors {
		if sc.state == s {
			return sc.color
		}
	}
	return color.RGBA{R: 0xB0, G: 0xC4, B: 0xDE, A: 255} // a state this list does not know
}

// timelineMark is how an event is marked on its row: above the state bar
// (dials) or below it (what the client and the strategy did).
type timelineMark struct {
	label string
	above bool
	style draw.GlyphStyle
}

var (
	dialColor   = color.RGBA{R: 0x1F, G: 0x3F, B: 0x8F, A: 255}
	replayColor = color.RGBA{R: 0x7B, G: 0x2C, B: 0x9E, A: 255}
	doneColor   = color.RGBA{R: 0x00, G: 0x80, B: 0x50, A: 255}
	lostColor   = color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 255}

	markDial      = timelineMark{"dial accepted", true, draw.GlyphStyle{Color: dialColor, Shape: draw.PyramidGlyph{}, Radius: vg.Points(4)}}
	markDialFail  = timelineMark{"dial refused or timed out", true, draw.GlyphStyle{Color: dialColor, Shape: outlineGlyph{upTriangle}, Radius: vg.Points(4)}}
	markGiveUp    = timelineMark{"connection given up", false, draw.GlyphStyle{Color: textColor, Shape: draw.BoxGlyph{}, Radius: vg.Points(3.5)}}
	markLost      = timelineMark{"strategy noticed the loss", false, draw.GlyphStyle{Color: lostColor, Shape: polyGlyph{diamond}, Radius: vg.Points(3.8)}}
	markReplay    = timelineMark{"replay started", false, draw.GlyphStyle{Color: replayColor, Shape: polyGlyph{rightTriangle}, Radius: vg.Points(4)}}
	markReplayErr = timelineMark{"replay failed", false, draw.GlyphStyle{Color: replayColor, Shape: crossGlyph{}, Radius: vg.Points(3.2)}}
	markRecovered = timelineMark{"recovered", false, draw.GlyphStyle{Color: doneColor, Shape: draw.CircleGlyph{}, Radius: vg.Points(4.5)}}
	timelineMarks = []timelineMark{markDial, markDialFail, markGiveUp, markLost, markReplay, markReplayErr, markRecovered}
)

var (
	upTriangle    = []vg.Point{{X: 0, Y: 1.2}, {X: 1.1, Y: -0.7}, {X: -1.1, Y: -0.7}}
	rightTriangle = []vg.Point{{X: 1.2, Y: 0}, {X: -0.7, Y: 1.1}, {X: -0.7, Y: -1.1}}
)

// outlineGlyph is an open polygon with a visible stroke.
type outlineGlyph struct{ pts []vg.Point }

func (g outlineGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.2)})
	c.Stroke(polygon(g.pts, pt, sty.Radius))
}

// markOf returns the mark of an event, or false for events drawn
// otherwise (states, fault, server-up) or not at all (replay-end ok).
func markOf(e resultset.Event) (timelineMark, bool) {
	switch e.Kind {
	case resultset.EventDial:
		if strings.HasPrefix(e.Detail, "accepted") { // "accepted 127.0.10.2:50051" in service cells
			return markDial, true
		}
		return markDialFail, true
	case resultset.EventGiveUp:
		return markGiveUp, true
	case resultset.EventLost:
		return markLost, true
	case resultset.EventReplayStart:
		return markReplay, true
	case resultset.EventReplayEnd:
		return markReplayErr, e.Detail != "ok"
	case resultset.EventRecovered:
		return markRecovered, true
	}
	return timelineMark{}, false
}

// timeline draws one row per traced cycle: the connectivity state as a
// coloured bar, dials above it, the client's and strategy's actions below
// it, the server's restarts as dashed ticks and the fault as a line.
type timeline struct {
	rows   [][]resultset.Event // first row at the top
	lo, hi float64             // seconds since the fault
}

// segment is a connectivity state and how long it lasted, in seconds.
type segment struct {
	state    string
	from, to float64
}

// stateSegments turns state events into the bar of a row: each state
// lasts until the next, the one in force when the window opens starts at
// its left edge, and states that changed again at the same instant are
// left out (they have no length to draw).
func stateSegments(events []resultset.Event, lo, hi float64) []segment {
	var out []segment
	state, from := "", lo
	end := func(to float64) {
		if to = math.Min(to, hi); state != "" && to > from {
			out = append(out, segment{state, from, to})
		}
	}
	for _, e := range events {
		if e.Kind != resultset.EventState {
			continue
		}
		if t := e.At.Seconds(); t > lo {
			end(t)
			from = t
		}
		state = e.Detail
	}
	end(hi)
	return out
}

func (tl timeline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(tl.rows)
	secs := func(d time.Duration) float64 { return d.Seconds() }
	for i, events := range tl.rows {
		y := float64(n - 1 - i)
		for _, sg := range stateSegments(events, tl.lo, tl.hi) {
			x0, x1 := trX(sg.from), trX(sg.to)
			y0, y1 := trY(y-0.17), trY(y+0.17)
			c.FillPolygon(stateColor(sg.state), []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		}

		for _, e := range events {
			if e.Kind == resultset.EventServerUp && secs(e.At) > tl.lo {
				x := trX(secs(e.At))
				c.StrokeLine2(draw.LineStyle{Color: faintColor, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}},
					x, trY(y-0.46), x, trY(y+0.46))
			}
		}
		// Marks. On the virtual clock many events truly coincide: those
		// of one lane at one instant are drawn side by side from that
		// instant on, in the order they happened, and repeats of a kind
		// once with their count.
		type group struct {
			t     time.Duration
			marks []timelineMark
			count []int
		}
		for _, above := range []bool{true, false} {
			var groups []group
			for _, e := range events {
				m, ok := markOf(e)
				if !ok || m.above != above || secs(e.At) < tl.lo {
					continue
				}
				i := slices.IndexFunc(groups, func(g group) bool { return g.t == e.At })
				if i < 0 {
					groups = append(groups, group{t: e.At})
					i = len(groups) - 1
				}
				g := &groups[i]
				if j := slices.IndexFunc(g.marks, func(o timelineMark) bool { return o.label == m.label }); j >= 0 {
					g.count[j]++
					continue
				}
				g.marks, g.count = append(g.marks, m), append(g.count, 1)
			}
			dy := -0.33
			if above {
				dy = 0.33
			}
			for _, g := range groups {
				// The first mark is centred on its instant, the others follow.
				x := trX(secs(g.t))
				for j, m := range g.marks {
					if j > 0 {
						x += m.style.Radius
					}
					pt := vg.Point{X: x, Y: trY(y + dy)}
					c.DrawGlyphNoClip(m.style, pt)
					x += m.style.Radius + vg.Points(2.5)
					if g.count[j] > 1 {
						sty := textStyle(8, m.style.Color)
						sty.YAlign = draw.YCenter
						label := fmt.Sprintf("×%d", g.count[j])
						c.FillText(sty, vg.Point{X: x, Y: pt.Y}, label)
						x += sty.Width(label) + vg.Points(2.5)
					}
				}
			}
		}
	}
	x := trX(0)
	c.StrokeLine2(draw.LineStyle{Color: missColor, Width: vg.Points(1.2)}, x, c.Min.Y, x, c.Max.Y)
}

// outcomes writes, right of the time axis, how each row's cycle ended.
type outcomes struct {
	x    float64
	text []string
	ok   []bool
}

func (o outcomes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, t := range o.text {
		col := color.Color(doneColor)
		if !o.ok[i] {
			col = missColor
		}
		sty := textStyle(10, col)
		sty.YAlign = draw.YCenter
		c.FillText(sty, vg.Point{X: trX(o.x), Y: trY(float64(len(o.text) - 1 - i))}, t)
	}
}

// timelineFigure is figure 7: one restart cycle per strategy on a shared
// time axis, for one run, fault and traffic mode; nil when the run has
// no trace of them.
func timelineFigure(d *resultset.Set, run *resultset.Run, fault, traffic string) (*Figure, error) {
	var names []string
	var rows [][]resultset.Event
	last := 0.0
	for _, s := range d.Strategies {
		ev, ok := run.Traces[d.Cell(s, fault, traffic)]
		if !ok {
			continue
		}
		names, rows = append(names, s), append(rows, ev)
		for _, e := range ev {
			last = math.Max(last, e.At.Seconds())
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if last <= 0 {
		last = 1
	}
	span := last * 1.04
	lo, hi := -math.Max(0.06*span, 0.1), span
	tl := timeline{rows: rows, lo: lo, hi: hi}
	var out outcomes
	out.x = hi + 0.03*(hi-lo)
	for _, ev := range rows {
		i := slices.IndexFunc(ev, func(e resultset.Event) bool { return e.Kind == resultset.EventRecovered })
		if i < 0 {
			out.text, out.ok = append(out.text, "no recovery"), append(out.ok, false)
			continue
		}
		out.text, out.ok = append(out.text, fmt.Sprintf("recovered at %s", seconds(ev[i].At.Seconds()))), append(out.ok, true)
	}

	title := fmt.Sprintf("One %s restart per strategy, %s traffic, gRPC-Go %s", fault, traffic, run.Label)
	p := newPanel("")
	p.Add(plotGrid{}, tl, out)
	p.X.Label.Text = "seconds since the fault"
	p.X.Min, p.X.Max = lo, hi+0.27*(hi-lo)
	p.X.Tick.Marker = boundedTicks{hi}
	rev := slices.Clone(names)
	slices.Reverse(rev)
	p.NominalY(rev...)
	p.Y.Min, p.Y.Max = -0.6, float64(len(rows))-0.4
	p.Y.Tick.Length = 0
	p.Y.Tick.Label.Font.Size = vg.Points(11)

	// The legend lists what this figure shows, in a fixed order.
	states, marks := map[string]bool{}, map[string]bool{}
	for _, ev := range rows {
		for _, sg := range stateSegments(ev, lo, hi) {
			states[sg.state] = true
		}
		for _, e := range ev {
			if m, ok := markOf(e); ok && e.At.Seconds() >= lo {
				marks[m.label] = true
			}
		}
	}
	var legend []legendItem
	for _, sc := range stateColors {
		if states[sc.state] {
			legend = append(legend, boxItem(sc.state, sc.color))
		}
	}
	for _, m := range timelineMarks {
		if marks[m.label] {
			legend = append(legend, glyphItem(m.label, m.style.Color, m.style.Shape, m.style.Radius))
		}
	}
	legend = append(legend,
		lineItem("fault", draw.LineStyle{Color: missColor, Width: vg.Points(1.2)}),
		lineItem("server (re)started", draw.LineStyle{Color: faintColor, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}))
	pg := page{title: title, legend: legend, grid: [][]*plot.Plot{{p}},
		w: 28 * vg.Centimeter, h: vg.Length(4.4+1.5*float64(len(rows))+1.6) * vg.Centimeter}
	return pg.figure("timeline-"+fault+"-"+traffic,
		fmt.Sprintf("Timeline of one %s restart, %s traffic, %s", fault, traffic, run.Label),
		"The first restart cycle of each strategy's cell from the trace file: the channel's connectivity state as a coloured bar, "+
			"dial attempts above it, below it the client giving up the broken connection, the strategy noticing the loss, "+
			"replays and the recovery; dashed ticks are the server coming back. Events at one instant (the virtual clock "+
			"makes many coincide) are drawn side by side from that instant, in the order they happened.")
}

// plotGrid is a vertical grid only: rows are categories.
type plotGrid struct{}

func (plotGrid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if t.IsMinor() || t.Value < p.X.Min || t.Value > p.X.Max {
			continue
		}
		x := trX(t.Value)
		c.StrokeLine2(draw.LineStyle{Color: gridColor, Width: vg.Points(0.6)}, x, c.Min.Y, x, c.Max.Y)
	}
}

// seconds formats a time for people: "1.1 s", "13 s", "0.25 s".
func seconds(s float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", s), "0"), ".") + " s"
}
