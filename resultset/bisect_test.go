package resultset

import (
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestBisectionRoundTrip(t *testing.T) {
	results := t.TempDir()
	res := func(release string, msgs float64) *benchfmt.Result {
		r := &benchfmt.Result{Name: benchfmt.Name("Replay/mode=stream"), Iters: 100,
			Values: []benchfmt.Value{{Value: msgs, Unit: UnitMsgsPerS}},
			Config: []benchfmt.Config{{Key: "grpc", Value: []byte(release), File: true}}}
		return r
	}
	n, err := ParseName("Replay/mode=stream")
	if err != nil {
		t.Fatal(err)
	}
	b := Bisection{Name: n, Metric: UnitMsgsPerS, Good: "v1.65.1", Bad: "v1.70.0", First: "v1.66.0", Last: "v1.65.1", Paired: true}
	var rs []*benchfmt.Result
	for i := 0; i < 6; i++ {
		// In alternating order, as bisect runs them.
		if i%2 == 0 {
			rs = append(rs, res("v1.65.1", 1000+float64(i)), res("v1.66.0", 800+float64(i)))
		} else {
			rs = append(rs, res("v1.66.0", 800+float64(i)), res("v1.65.1", 1000+float64(i)))
		}
	}
	path, err := WriteBisection(filepath.Join(results, BisectionDir), b, rs)
	if err != nil {
		t.Fatal(err)
	}
	read, err := ReadBisections(results)
	if err != nil || len(read) != 1 {
		t.Fatalf("ReadBisections = %v, %v; want the one written", read, err)
	}
	b.File = path
	b.Values = map[string][]float64{"v1.65.1": {1000, 1001, 1002, 1003, 1004, 1005}, "v1.66.0": {800, 801, 802, 803, 804, 805}}
	if !reflect.DeepEqual(read[0], b) {
		t.Errorf("read %+v\nwant %+v", read[0], b)
	}
	if c := read[0].Compare(); !c.Differ || c.P > 0.04 {
		t.Errorf("Compare = %+v, want a difference: every pair is lower", c)
	}
	if got, want := CausePath(path), path[:len(path)-len(".txt")]+".cause.md"; got != want {
		t.Errorf("CausePath = %s, want %s", got, want)
	}
}
