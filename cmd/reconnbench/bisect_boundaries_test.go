package main

import "testing"

// TestDoubtful: a boundary's search is in doubt where the releases'
// values overlap the older release's, and only there.
func TestDoubtful(t *testing.T) {
	for _, tc := range []struct {
		name   string
		span   [][]float64 // values of the older release, then of each release of the span
		first  int         // index into span, -1 for none
		doubts bool
	}{
		{"a clean step", [][]float64{{0, 0, 0}, {0, 0}, {1, 1, 1}, {1, 1}}, 2, false},
		{"a clean step in a jittered metric", [][]float64{{3.6, 3.7}, {3.6, 3.65}, {5.1, 5.4}}, 2, false},
		{"a release taken for the old one gave a new value", [][]float64{{3.6, 3.6}, {3.6, 5.3}, {5.2, 5.4}}, 2, true},
		{"the first different release gave an old value", [][]float64{{3.6, 3.6}, {3.6, 3.6}, {3.6, 5.2, 5.4}}, 2, true},
		{"not reproduced, every release like the old one", [][]float64{{1, 2}, {1.5, 2}, {1, 1}}, -1, false},
		{"not reproduced, yet a release gave a new value", [][]float64{{1, 2}, {1.5, 3}, {1, 1}}, -1, true},
		{"the old release never had the event", [][]float64{{}, {1}, {2}}, 1, false},
		{"the first release of the span differs", [][]float64{{0}, {1}, {1}, {1}}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			values := func(i int) []float64 { return tc.span[i] }
			if got := doubtful(values, tc.first, len(tc.span)); got != tc.doubts {
				t.Errorf("doubtful(%v, first %d) = %v, want %v", tc.span, tc.first, got, tc.doubts)
			}
		})
	}
}
