package resultset

import (
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
