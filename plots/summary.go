package main

import (
	"math"

	"github.com/montanaflynn/stats"
	"golang.org/x/perf/benchmath"
)

// Summary describes one cell's values of one unit.
type Summary struct {
	N        int     // values
	Median   float64 // NaN when N is 0
	Lo, Hi   float64 // 95% confidence interval of the median; Lo == Hi == Median when there are too few values
	P10, P90 float64
}

// confidence is the level of the intervals drawn and reported.
const confidence = 0.95

// Summarize returns the median, the 10th and 90th percentiles and a
// confidence interval of the median of xs. The interval is the
// distribution-free one benchstat prints (order statistics chosen with the
// binomial distribution, from x/perf's benchmath), so figures and
// `make compare` agree; with fewer than 6 values no 95% interval exists and
// the interval collapses to the median.
func Summarize(xs []float64) Summary {
	s := Summary{N: len(xs), Median: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), P10: math.NaN(), P90: math.NaN()}
	if len(xs) == 0 {
		return s
	}
	data := stats.Float64Data(xs)
	s.Median, _ = data.Median()
	s.P10, _ = data.Percentile(10)
	s.P90, _ = data.Percentile(90)
	sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(xs, &benchmath.DefaultThresholds), confidence)
	s.Lo, s.Hi = sum.Lo, sum.Hi
	if math.IsInf(s.Lo, 0) || math.IsInf(s.Hi, 0) || math.IsNaN(s.Lo) || math.IsNaN(s.Hi) {
		s.Lo, s.Hi = s.Median, s.Median
	}
	return s
}

// Fraction returns the mean of 0-or-1 values, such as missed/op, and how
// many there were.
func Fraction(xs []float64) (float64, int) {
	if len(xs) == 0 {
		return math.NaN(), 0
	}
	m, _ := stats.Mean(xs)
	return m, len(xs)
}
