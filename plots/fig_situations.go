package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/reconnbench/reconnbench/resultset"
)

// situationsFigure is two heat maps of release r, situation × strategy:
// the share of cycles that missed, and the spurious replays a cycle, for
// every situation (every cell's keys but the strategy) r measured.
func situationsFigure(all, d *resultset.Set, r *resultset.Run) (*Figure, error) {
	var sits []string
	cellOf := map[string]map[string]*resultset.Samples{} // situation, strategy
	for c, s := range r.Cells {
		k := c.ShortSituation()
		if cellOf[k] == nil {
			cellOf[k] = map[string]*resultset.Samples{}
			sits = append(sits, k)
		}
		cellOf[k][c.Strategy] = s
	}
	sort.Strings(sits)
	if len(sits) < 2 {
		return nil, nil
	}
	strategies := slices.Clone(d.Strategies)
	missed := func(s *resultset.Samples) (float64, string) {
		k, n := s.Count(resultset.UnitMissed)
		if n == 0 {
			return math.NaN(), "–"
		}
		f := float64(k) / float64(n)
		return f, fraction(f)
	}
	spurious := func(s *resultset.Samples) (float64, string) {
		xs := s.Values(resultset.UnitSpurious)
		if len(xs) == 0 {
			return math.NaN(), "–"
		}
		m := resultset.Mean(xs)
		return m, strconv.FormatFloat(m, 'g', 2, 64)
	}
	top := 0.0
	for _, k := range sits {
		for _, s := range cellOf[k] {
			if v, _ := spurious(s); v > top {
				top = v
			}
		}
	}
	panel := func(title string, value func(*resultset.Samples) (float64, string), hue color.RGBA, max float64, showY bool) *plot.Plot {
		h := heatmap{max: max, full: hue}
		for _, k := range sits {
			var vals []float64
			var text []string
			for _, st := range strategies {
				s := cellOf[k][st]
				switch {
				case s == nil:
					vals, text = append(vals, math.NaN()), append(text, "–")
				case s.Inapplicable():
					vals, text = append(vals, math.NaN()), append(text, "n/a")
				default:
					v, t := value(s)
					vals, text = append(vals, v), append(text, t)
				}
			}
			h.vals, h.text = append(h.vals, vals), append(h.text, text)
		}
		p := newPanel(title)
		p.Add(h)
		p.NominalX(strategies...)
		p.X.Min, p.X.Max = -0.5, float64(len(strategies))-0.5
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter // hanging below the cells
		rev := slices.Clone(sits)
		slices.Reverse(rev)
		p.NominalY(rev...)
		p.Y.Min, p.Y.Max = -0.5, float64(len(rev))-0.5
		p.Y.Tick.Length, p.X.Tick.Length = 0, 0
		p.Y.Color, p.X.Color = color.Transparent, color.Transparent
		p.Y.Tick.Label.Font.Size = vg.Points(8)
		if !showY {
			p.Y.Tick.Marker = plot.ConstantTicks(unlabelled(rev))
		}
		return p
	}
	grid := [][]*plot.Plot{{
		panel("missed: share of cycles", missed, missedHue, 1, true),
		panel("spurious replays a cycle", spurious, spuriousHue, top, false),
	}}
	title := fmt.Sprintf("Every situation, gRPC-Go %s", r.Label)
	legend := []legendItem{
		boxItem("0", zeroFill),
		boxItem("missed every cycle", mix(missedHue, 1)),
		boxItem("spurious replays, darker is more", mix(spuriousHue, 0.8)),
		boxItem("–: not measured; n/a: does not apply to the release", notMeasured),
	}
	// The first panel's column of labels takes what its longest label
	// needs; the heat maps, a fixed width a strategy.
	var labels vg.Length
	for _, k := range sits {
		labels = max(labels, grid[0][0].Y.Tick.Label.Width(k))
	}
	w := 2*(0.9*float64(len(strategies))+1.5) + 3.0 + float64(labels/vg.Centimeter)
	h := 0.42*float64(len(sits)) + 9.5
	pg := page{title: title, legend: legend, grid: grid, w: vg.Length(w) * vg.Centimeter, h: vg.Length(h) * vg.Centimeter}
	return pg.figure("situations", title,
		fmt.Sprintf("For every situation %s measured (its fault, traffic, and the keys that differ from the base situation), per strategy: the share of cycles that never "+
			"replayed to the server that came back (left), and the replays a cycle that reached a server instance already holding the "+
			"whole log (right): after a rotation every replay is one, and a client whose idle timeout closes its connection makes one.", r.Label))
}

var spuriousHue = color.RGBA{R: 0xB0, G: 0x70, B: 0x00, A: 255}
