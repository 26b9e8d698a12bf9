package plots

import (
	"strings"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   int
		labels string
	}{
		{0, 3.2, 5, "0 1 2 3"},
		{-0.1, 1.15, 6, "0.00 0.25 0.50 0.75 1.00"}, // never "-0.00"
		{0, 14, 5, "0 5 10"},
		{-0.7, 13.8, 7, "0.0 2.5 5.0 7.5 10.0 12.5"},
		{0, 62, 7, "0 10 20 30 40 50 60"},
		{1, 1, 5, ""},
	} {
		var labels []string
		for _, tk := range niceTicks(tc.lo, tc.hi, tc.want) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.labels {
			t.Errorf("niceTicks(%v, %v, %d) = %q, want %q", tc.lo, tc.hi, tc.want, got, tc.labels)
		}
	}
}

func TestSpreadKeepsLabelsApart(t *testing.T) {
	ls := []endLabel{{y: 0, text: "a"}, {y: 1, text: "b"}, {y: 0, text: "c"}, {y: 1, text: "d"}, {y: 0.5, text: "e"}}
	spread(ls, 0.1, 0, 1)
	for i := 1; i < len(ls); i++ {
		if gap := ls[i-1].at - ls[i].at; gap < 0.1-1e-9 {
			t.Errorf("labels %q and %q %.3f apart, want at least 0.1", ls[i-1].text, ls[i].text, gap)
		}
	}
	if ls[0].at != 1 || ls[len(ls)-1].at != 0 {
		t.Errorf("labels span [%v, %v], want [0, 1]", ls[len(ls)-1].at, ls[0].at)
	}
}
