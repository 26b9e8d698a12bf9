package resultset

import (
	"fmt"
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	// Intervals by hand: with n values the population median lies below
	// x(k) with the binomial probability P(B(n, ½) < k); the interval
	// [x(l), x(n+1-l)] covers it with 1 − 2·P(B(n, ½) < l). The widest
	// l whose coverage is at least 95% is the answer.
	for _, tc := range []struct {
		name     string
		xs       []float64
		median   float64
		lo, hi   float64
		ci       bool
		p10, p90 float64
	}{
		// n=5: even [x(1), x(5)] covers only 1 − 2/32 = 93.75%: no interval.
		{"5 values", []float64{5, 1, 4, 2, 3}, 3, 3, 3, false, 1.4, 4.6},
		// n=6: [x(1), x(6)] covers 1 − 2/64 = 96.9%; [x(2), x(5)] 1 − 2·7/64 = 78%.
		{"6 values", []float64{6, 1, 5, 2, 4, 3}, 3.5, 1, 6, true, 1.5, 5.5},
		// n=7: [x(1), x(7)] covers 98.4%; [x(2), x(6)] 1 − 2·8/128 = 87.5%.
		{"7 values", []float64{5, 1, 4, 2, 3, 6, 7}, 4, 1, 7, true, 1.6, 6.4},
		// n=9: [x(2), x(8)] covers 1 − 2·10/512 = 96.1%; [x(3), x(7)] 1 − 2·46/512 = 82%.
		{"9 values", []float64{9, 8, 7, 6, 5, 4, 3, 2, 1}, 5, 2, 8, true, 1.8, 8.2},
		// n=10: [x(2), x(9)] covers 1 − 2·11/1024 = 97.9%; [x(3), x(8)] 1 − 2·56/1024 = 89%.
		{"10 values", []float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 55, 20, 90, true, 19, 91},
		// A cell whose every cycle took the same time: an interval of width 0.
		{"all equal", []float64{13, 13, 13, 13, 13, 13}, 13, 13, 13, true, 13, 13},
		{"one value", []float64{2}, 2, 2, 2, false, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(tc.xs)
			near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
			if s.N != len(tc.xs) || !near(s.Median, tc.median) || !near(s.Lo, tc.lo) || !near(s.Hi, tc.hi) || s.CI != tc.ci {
				t.Errorf("median %v [%v, %v] ci=%v of %d, want %v [%v, %v] ci=%v", s.Median, s.Lo, s.Hi, s.CI, s.N, tc.median, tc.lo, tc.hi, tc.ci)
			}
			if !near(s.P10, tc.p10) || !near(s.P90, tc.p90) {
				t.Errorf("P10 %v, P90 %v, want %v, %v", s.P10, s.P90, tc.p10, tc.p90)
			}
		})
	}
	if s := Summarize(nil); s.N != 0 || !math.IsNaN(s.Median) || !math.IsNaN(s.Lo) {
		t.Errorf("no values: %+v, want NaN", s)
	}
}

func TestComparePaired(t *testing.T) {
	ten := func(ratios ...float64) (a, b []float64) {
		// Each round on a machine of another speed: the pairs' level
		// drifts, their ratio is what the round says.
		for i, r := range ratios {
			level := 1e6 * (1 + 0.3*float64(i%3))
			a, b = append(a, level), append(b, level*r)
		}
		return a, b
	}
	for _, tc := range []struct {
		name   string
		ratios []float64
		differ bool
		p      float64
	}{
		{"every round lower", []float64{0.8, 0.85, 0.9, 0.82, 0.88, 0.79, 0.86, 0.9, 0.84, 0.87}, true, 0.002},
		{"one round against", []float64{0.8, 0.85, 0.9, 0.82, 1.3, 0.79, 0.86, 0.9, 0.84, 0.87}, true, 0.021},
		{"two rounds against", []float64{0.8, 1.1, 0.9, 0.82, 1.3, 0.79, 0.86, 0.9, 0.84, 0.87}, false, 0.109},
		{"a tie", []float64{0.9, 1.1, 0.95, 1.05, 0.97, 1.03, 0.99, 1.01, 0.98, 1.02}, false, 1},
		{"too few", []float64{0.5, 0.5, 0.5, 0.5, 0.5}, false, 0.0625},
	} {
		a, b := ten(tc.ratios...)
		c := ComparePaired(a, b)
		if c.Differ != tc.differ || math.Abs(c.P-tc.p) > 0.0005 {
			t.Errorf("%s: differ %v p %.4f, want %v p %.4f", tc.name, c.Differ, c.P, tc.differ, tc.p)
		}
		// The unpaired test cannot see through the drift.
		if u := Compare(a, b); tc.name == "every round lower" && u.Differ {
			t.Errorf("%s: the unpaired test tells them apart (p %.3f); the case does not show the drift", tc.name, u.P)
		}
	}
}

func TestSummariesLeaveTheirInputAlone(t *testing.T) {
	xs := []float64{3, 1, 2, 5, 4, 6}
	ys := []float64{6, 5, 4, 3, 2, 1}
	Summarize(xs)
	Compare(xs, ys)
	ComparePaired(xs, ys)
	Mean(xs)
	if fmt.Sprint(xs, ys) != "[3 1 2 5 4 6] [6 5 4 3 2 1]" {
		t.Errorf("the summaries reordered their input: %v %v", xs, ys)
	}
}
