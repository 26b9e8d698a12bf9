package resultset

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestOldBaselineLoadsAsToday reads results files written before the
// fault key was renamed (scenario=), a copy of the baseline of
// 2026-11-25, and the same runs with their names rewritten to fault=, as
// the baseline held them until it was measured again: both load to the
// same set, traces included.
func TestOldBaselineLoadsAsToday(t *testing.T) {
	var old, cur []string
	for _, f := range []string{"grpc-v1.40.1.txt", "grpc-v1.41.0.txt"} {
		old = append(old, filepath.Join("testdata", "scenario-key", f))
		cur = append(cur, filepath.Join("testdata", "fault-key", f))
	}
	a, err := Load(old)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(cur)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Runs) != 2 || len(a.Runs[0].Cells) != 60 || len(a.Runs[1].Traces) != 60 {
		t.Fatalf("the old files load to %d runs, %d cells, %d traces; want 2, 60, 60", len(a.Runs), len(a.Runs[0].Cells), len(a.Runs[1].Traces))
	}
	if _, ok := a.Runs[0].Cells[NewCell("dialer", "crash", "idle")]; !ok {
		t.Error("the old files have no cell dialer/crash/idle: scenario= was not read as fault=")
	}
	a.Files, b.Files = nil, nil
	if !reflect.DeepEqual(a, b) {
		t.Error("the old files and today's baseline load to different sets")
	}
}
