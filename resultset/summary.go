package resultset

import (
	"math"

	"github.com/montanaflynn/stats"
	"golang.org/x/perf/benchmath"
)

// confidence is the level of every interval drawn and reported.
const confidence = 0.95

// Summary describes the values of one unit of one cell.
type Summary struct {
	N        int     // values
	Median   float64 // NaN when N is 0
	Lo, Hi   float64 // confidence interval of the median; both the median when N is too small for one
	P10, P90 float64 // percentiles, linear interpolation between closest ranks
	Min, Max float64
	CI       bool // whether N is large enough for the interval (6 values for 95%)
}

// Summarize returns the median, percentiles and a confidence interval of
// the median of xs.
//
// The median and percentiles come from montanaflynn/stats (percentiles by
// linear interpolation between closest ranks, Hyndman and Fan type 7).
// The interval is distribution-free: the sorted values x(1) ≤ … ≤ x(n)
// bound the population median between x(l) and x(r) with probability
// given by the binomial distribution B(n, ½), and the narrowest such pair
// whose probability reaches 95% is taken (exact below 31 values, a normal
// approximation above). This is what benchstat prints (both use
// x/perf's benchmath), so the figures agree with make compare. With
// fewer than 6 values even [x(1), x(n)] covers less than 95%
// (1 − 2·2⁻⁵ ≈ 94% for 5), and the interval collapses to the median.
func Summarize(xs []float64) Summary {
	nan := math.NaN()
	s := Summary{N: len(xs), Median: nan, Lo: nan, Hi: nan, P10: nan, P90: nan, Min: nan, Max: nan}
	if len(xs) == 0 {
		return s
	}
	data := stats.Float64Data(xs)
	s.Median, _ = data.Median()
	s.P10, _ = data.Percentile(10)
	s.P90, _ = data.Percentile(90)
	s.Min, _ = data.Min()
	s.Max, _ = data.Max()
	sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(xs, &benchmath.DefaultThresholds), confidence)
	s.Lo, s.Hi = sum.Lo, sum.Hi
	s.CI = !math.IsInf(s.Lo, 0) && !math.IsInf(s.Hi, 0) && !math.IsNaN(s.Lo) && !math.IsNaN(s.Hi)
	if !s.CI {
		s.Lo, s.Hi = s.Median, s.Median
	}
	return s
}

// Mean returns the mean of xs, NaN for none.
func Mean(xs []float64) float64 {
	m, err := stats.Mean(xs)
	if err != nil {
		return math.NaN()
	}
	return m
}

// A Comparison is how two samples differ, judged the way benchstat
// judges it: the Mann-Whitney U-test at α = 0.05, which assumes nothing
// about the distributions (x/perf's benchmath).
type Comparison struct {
	P       float64
	Differ  bool   // P < α
	Warning string // why the test could not tell, such as too few values; "" if none
}

// Compare compares samples a and b.
func Compare(a, b []float64) Comparison {
	c := benchmath.AssumeNothing.Compare(
		benchmath.NewSample(a, &benchmath.DefaultThresholds),
		benchmath.NewSample(b, &benchmath.DefaultThresholds))
	cmp := Comparison{P: c.P, Differ: c.P < c.Alpha}
	if len(c.Warnings) > 0 {
		cmp.Warning = c.Warnings[0].Error()
	}
	return cmp
}
