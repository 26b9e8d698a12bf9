package plots

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/resultset/resultsettest"
)

// replayLines are six BenchmarkReplay lines around msgs messages a second.
func replayLines(msgs float64) string {
	var b strings.Builder
	b.WriteString("clock: real\n")
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "BenchmarkReplay/mode=stream-2 100 1000000 ns/op %g msgs/s\n", msgs*(1+0.01*float64(i)))
	}
	return b.String()
}

func TestThroughputSentences(t *testing.T) {
	d := load(t, map[string]string{
		"grpc-v1.65.1.txt": resultsettest.Release("v1.65.1", "virtual") + replayLines(700e3),
		"grpc-v1.66.0.txt": resultsettest.Release("v1.66.0", "virtual") + replayLines(560e3),
		"grpc-v1.70.0.txt": resultsettest.Release("v1.70.0", "virtual") + replayLines(565e3),
	})
	got := throughputSentences(d)
	want := "**Replay/mode=stream**, messages a second, 1 of 2 pairs: v1.65.1 → v1.66.0 -20% (718k → 574k, p=0.002)."
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q\nwant %q: the drop, and not the noise after it", got, want)
	}
}

func TestBisectionSentences(t *testing.T) {
	results := t.TempDir()
	n, _ := resultset.ParseName("Replay/mode=stream")
	b := resultset.Bisection{Name: n, Metric: resultset.UnitMsgsPerS, Good: "v1.65.1", Bad: "v1.70.0", First: "v1.66.0", Last: "v1.65.1", Paired: true}
	var rs []*benchfmt.Result
	for i := 0; i < 8; i++ {
		for _, side := range []struct {
			v string
			x float64
		}{{"v1.65.1", 1000}, {"v1.66.0", 850}} {
			rs = append(rs, &benchfmt.Result{Name: benchfmt.Name(n.String()), Iters: 1,
				Values: []benchfmt.Value{{Value: side.x * (1 + 0.1*float64(i%3)), Unit: resultset.UnitMsgsPerS}},
				Config: []benchfmt.Config{{Key: "grpc", Value: []byte(side.v), File: true}}})
		}
	}
	path, err := resultset.WriteBisection(filepath.Join(results, resultset.BisectionDir), b, rs)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(resultset.CausePath(path), []byte("The codec now copies\nevery frame.\n"), 0o644)
	bs, err := resultset.ReadBisections(results)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(bisectionSentences(bs), "\n")
	for _, want := range []string{
		"**v1.66.0** is the first release whose msgs/s of **Replay/mode=stream** differs from v1.65.1 (the last like it: v1.65.1)",
		"measured in 8 rounds of fresh processes beside v1.65.1",
		"ratio 0.85 (0.85 to 0.85), lower in 8 of 8 rounds, sign test p=0.008",
		"Cause, written by hand from v1.66.0's source and release notes (bisect/Replay_mode-stream.msgs_s.v1.65.1-v1.70.0.cause.md):\n\n  > The codec now copies\n  > every frame.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("sentences lack %q:\n%s", want, got)
		}
	}
}
