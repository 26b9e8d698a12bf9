package resultset

import (
	"fmt"
	"math"

	moremath "github.com/aclements/go-moremath/stats"
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
	sum := benchmath.AssumeNothing.Summary(sample(xs), confidence)
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
	c := benchmath.AssumeNothing.Compare(sample(a), sample(b))
	cmp := Comparison{P: c.P, Differ: c.P < c.Alpha}
	if len(c.Warnings) > 0 {
		cmp.Warning = c.Warnings[0].Error()
	}
	return cmp
}

// ComparePaired compares samples measured in pairs, a[i] beside b[i] (the
// same round of fresh processes, say), where the machine's drift between
// rounds moves both sides of a pair alike: by the sign test, which counts
// the pairs where b is below a and assumes nothing about how the values
// spread. A difference is a share of pairs that one direction would reach
// by chance with probability below α = 0.05, two-sided. With fewer than 6
// pairs no share is that unlikely, and Differ is never true.
func ComparePaired(a, b []float64) Comparison {
	n := min(len(a), len(b))
	below, above := 0, 0
	for i := 0; i < n; i++ {
		switch {
		case b[i] < a[i]:
			below++
		case b[i] > a[i]:
			above++
		}
	}
	// Pairs that tie say nothing either way.
	d := moremath.BinomialDist{N: below + above, P: 0.5}
	p := math.Min(1, 2*d.CDF(float64(min(below, above))))
	c := Comparison{P: p, Differ: p < alpha}
	if d.N < 6 {
		c.Warning = fmt.Sprintf("need >= 6 pairs that differ to tell, have %d", d.N)
	}
	return c
}

// alpha is the significance level of every comparison, benchstat's.
const alpha = 0.05

// sample makes a benchmath sample of a copy of xs: NewSample sorts the
// values it is given in place, and callers' values may be in an order
// that means something (rounds, pairs).
func sample(xs []float64) *benchmath.Sample {
	return benchmath.NewSample(append([]float64(nil), xs...), &benchmath.DefaultThresholds)
}
