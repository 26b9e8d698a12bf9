package main

import (
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/reconnbench/reconnbench/bench"
)

// timelineKinds are the events a timeline shows, each with its own mark.
var timelineKinds = []struct {
	kind, label string
	color       color.Color
	glyph       draw.GlyphDrawer
}{
	{bench.EventFault, "fault", color.Black, draw.CrossGlyph{}},
	{bench.EventGiveUp, "connection given up", missedColor, draw.BoxGlyph{}},
	{bench.EventDial, "dial", color.RGBA{R: 30, G: 90, B: 200, A: 255}, draw.TriangleGlyph{}},
	{bench.EventState + " READY", "READY", color.RGBA{G: 150, A: 255}, draw.CircleGlyph{}},
	{bench.EventState + " IDLE", "IDLE", color.RGBA{R: 160, G: 160, B: 160, A: 255}, draw.RingGlyph{}},
	{bench.EventState + " TRANSIENT_FAILURE", "TRANSIENT_FAILURE", color.RGBA{R: 230, G: 130, A: 255}, draw.RingGlyph{}},
	{bench.EventReplayStart, "replay started", color.RGBA{R: 120, G: 40, B: 160, A: 255}, draw.PyramidGlyph{}},
	{bench.EventRecovered, "recovered", color.RGBA{G: 110, B: 60, A: 255}, draw.PlusGlyph{}},
}

// timelineFigure is figure 7: one restart cycle per strategy on a shared
// time axis, for one run, fault and traffic mode; nil when the run has no
// trace of them.
func timelineFigure(d *Dataset, run *Run, fault, traffic string) (*Figure, error) {
	byStrategy := map[string][]bench.Event{}
	for _, t := range run.Traces {
		for _, s := range d.Strategies {
			if strings.Contains(t.Cell, "/strategy="+s+"/") && strings.HasSuffix(t.Cell, "/scenario="+fault+"/traffic="+traffic) {
				byStrategy[s] = t.Events
			}
		}
	}
	if len(byStrategy) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = "One " + fault + " restart, " + traffic + " traffic, gRPC-Go " + run.Label
	p.X.Label.Text = "seconds since the fault"
	p.NominalY(d.Strategies...)
	p.Legend.Top = true
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	for _, k := range timelineKinds {
		var pts plotter.XYs
		for si, s := range d.Strategies {
			for _, e := range byStrategy[s] {
				key := e.Kind
				if e.Kind == bench.EventState {
					key += " " + e.Detail
				}
				if key == k.kind && e.At >= -100e6 { // from just before the fault
					pts = append(pts, plotter.XY{X: e.At.Seconds(), Y: float64(si)})
				}
			}
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = k.color, k.glyph, vg.Points(4)
		p.Add(sc)
		p.Legend.Add(k.label, sc)
	}
	p.Y.Min, p.Y.Max = -0.5, float64(len(d.Strategies))+1.5 // room for the legend
	img := vgimg.New(20*vg.Centimeter, 11*vg.Centimeter)
	p.Draw(draw.New(img))
	return &Figure{File: "timeline-" + fault + "-" + traffic + ".png",
		Title: "Timeline of one " + fault + " restart, " + traffic + " traffic, " + run.Label,
		Caption: "The first restart cycle of each strategy's cell: when the client gave up the broken connection, dialled, " +
			"changed connectivity state, started a replay and recovered. Events at the same instant overlap.",
		png: &vgimg.PngCanvas{Canvas: img}}, nil
}
