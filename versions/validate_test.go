package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reconnbench/reconnbench/bench"
)

func TestJudge(t *testing.T) {
	const s = 1e9 // ns
	cell := func(missed, dials, recover []float64) map[string][]float64 {
		m := map[string][]float64{bench.UnitMissed: missed, bench.UnitUndetected: {0}, bench.UnitDials: dials}
		if recover != nil {
			m[bench.UnitRecover] = recover
		}
		return m
	}
	for _, tc := range []struct {
		name     string
		sim, tcp map[string][]float64
		differs  []string
	}{
		{"identical", cell([]float64{0}, []float64{2}, []float64{1.5 * s}), cell([]float64{0}, []float64{2}, []float64{1.5 * s}), nil},
		{"recover within 5%", cell([]float64{0}, []float64{2}, []float64{13 * s}), cell([]float64{0}, []float64{2}, []float64{13.6 * s}), nil},
		{"recover beyond 5%", cell([]float64{0}, []float64{2}, []float64{13 * s}), cell([]float64{0}, []float64{2}, []float64{13.7 * s}), []string{"recover-ns"}},
		{"recover within 50ms", cell([]float64{0}, []float64{2}, []float64{0.1 * s}), cell([]float64{0}, []float64{2}, []float64{0.149 * s}), nil},
		{"recover beyond 50ms", cell([]float64{0}, []float64{2}, []float64{0.1 * s}), cell([]float64{0}, []float64{2}, []float64{0.151 * s}), []string{"recover-ns"}},
		{"within the simulated jitter", cell([]float64{0, 0}, []float64{2, 3}, []float64{1 * s, 2.6 * s}), cell([]float64{0}, []float64{3}, []float64{2.1 * s}), nil},
		{"dials one more", cell([]float64{0}, []float64{2}, nil), cell([]float64{0}, []float64{3}, nil), nil},
		{"dials two more", cell([]float64{0}, []float64{2}, nil), cell([]float64{0}, []float64{4}, nil), []string{"dials"}},
		{"missed only on tcp", cell([]float64{0}, []float64{1}, []float64{1 * s}), cell([]float64{1}, []float64{1}, nil), []string{"missed"}},
		{"missed sometimes in netsim", cell([]float64{0, 1}, []float64{1}, []float64{1 * s}), cell([]float64{1}, []float64{1}, nil), nil},
		{"no tcp result", cell([]float64{0}, []float64{1}, nil), nil, []string{"no tcp result"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := judge("Reconnect/strategy=a/scenario=b/traffic=c", tc.sim, tc.tcp)
			if !reflect.DeepEqual(got.differs, tc.differs) {
				t.Errorf("differs = %q, want %q", got.differs, tc.differs)
			}
			if got.agrees() != (len(tc.differs) == 0) {
				t.Errorf("agrees() = %v with differs %q", got.agrees(), got.differs)
			}
		})
	}
}

// TestValidationReleases checks that auto picks the oldest and newest
// tracked releases and both sides of a change in missed/op, and ignores
// files of other toolchains, clocks or links.
func TestValidationReleases(t *testing.T) {
	results := t.TempDir()
	write := func(file, release string, missed float64) {
		t.Helper()
		body := fmt.Sprintf("grpc: %s\n\nBenchmarkReconnect/strategy=dialer/scenario=crash/traffic=idle 1 %g missed/op 0 undetected/op\n", release, missed)
		if err := os.WriteFile(filepath.Join(results, file), []byte(body), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	write("grpc-v1.35.0.txt", "v1.35.0", 0)
	write("grpc-v1.40.1.txt", "v1.40.1", 0)
	write("grpc-v1.41.0.txt", "v1.41.0", 1)
	write("grpc-v1.45.0.txt", "v1.45.0", 1)
	write("grpc-v1.50.1.real.txt", "v1.50.1", 0) // another clock: not a behaviour change
	rels, changes, err := validationReleases(".", results)
	if err != nil {
		t.Fatal(err)
	}
	have, err := tracked(".")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{have[0], "v1.40.1", "v1.41.0", have[len(have)-1]}
	if !reflect.DeepEqual(rels, want) {
		t.Errorf("releases %v, want %v", rels, want)
	}
	if len(changes) != 1 || changes[0].from != "v1.40.1" || changes[0].to != "v1.41.0" || changes[0].unit != bench.UnitMissed {
		t.Errorf("changes %+v, want one: v1.40.1..v1.41.0 in missed/op", changes)
	}
}

// TestParseValidateFlagsErrors covers validate's own flags; the rest are
// bench's, tested with it.
func TestParseValidateFlagsErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-tcp-count", "0"}, "-tcp-count 0: must be at least 1"},
		{[]string{"-deadline", "-1s"}, "-deadline -1s: must be positive"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		_, err := parseValidateFlags(append(tc.args, "-baseline", t.TempDir()))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("validate %q: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
