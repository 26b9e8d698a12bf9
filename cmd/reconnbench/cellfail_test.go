package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestSummarize checks how a failed cell's report is drawn from what its
// process printed.
func TestSummarize(t *testing.T) {
	panicked := `=== RUN   TestMatrix
panic: boom [recovered, repanicked]

goroutine 7 [running]:
testing.tRunner.func1.2({0x1, 0x2})
	/go/src/testing/testing.go:1974 +0x232
panic({0x1?, 0x2?})
	/go/src/runtime/panic.go:860 +0x13a
example.com/s.Strategy.DialOptions(...)
	/src/s/s.go:12 +0x25
example.com/bench.(*cycle).run(0x1)
	/src/bench/cycle.go:115 +0x472

goroutine 8 [select]:
other.goroutine()
`
	failed := `reconnbench: gRPC-Go v1.85.0 ...
reconnbench: FAILED Reconnect/strategy=s/scenario=crash/traffic=idle: strategy goroutines still running 10s after the cycle ended:
goroutine 9 [chan receive]:
    example.com/s.Strategy.Watch()
    /src/s/s.go:20 +0x25
--- FAIL: TestMatrix (0.10s)
FAIL
`
	var long strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&long, "line %d\n", i)
	}
	for _, tc := range []struct {
		name, out, reason string
		excerpt           []string
	}{
		{"panic", panicked, "panic: boom [recovered, repanicked]", []string{
			"goroutine 7 [running]:", "example.com/s.Strategy.DialOptions(...)", "\t/src/s/s.go:12 +0x25",
			"example.com/bench.(*cycle).run(0x1)", "\t/src/bench/cycle.go:115 +0x472"}},
		{"harness failure", failed, "strategy goroutines still running 10s after the cycle ended:", []string{
			"goroutine 9 [chan receive]:", "    example.com/s.Strategy.Watch()", "    /src/s/s.go:20 +0x25"}},
		{"anything else", long.String(), "line 39", linesFrom(39-excerptLines, 38)},
		{"nothing", "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o childOutput
			o.Write([]byte(tc.out))
			reason, excerpt := summarize(o.lines())
			if reason != tc.reason || strings.Join(excerpt, "\n") != strings.Join(tc.excerpt, "\n") {
				t.Errorf("summarize = %q,\n%s\nwant %q,\n%s", reason, strings.Join(excerpt, "\n"), tc.reason, strings.Join(tc.excerpt, "\n"))
			}
		})
	}
}

func linesFrom(a, b int) []string {
	var l []string
	for i := a; i <= b; i++ {
		l = append(l, fmt.Sprintf("line %d", i))
	}
	return l
}
