// Package resultset is reconnbench's results model: everything that
// writes, reads or interprets a results file goes through it.
//
// Results files are in the Go benchmark format, written and read through
// golang.org/x/perf/benchfmt, so benchstat reads them as they are. A
// reconnect cell is one benchmark, named by its keys:
//
//	BenchmarkReconnect/strategy=watcher/fault=crash/traffic=idle/downtime=1s/quiet=2s/client=dial
//
// Cell formats and parses such names; the keys are listed once, in
// name.go, and the reader still accepts older spellings (scenario= for
// fault=) and names without the keys added later (downtime, quiet and
// client read as 1s, 2s and dial, what those runs measured), so results
// files of earlier runs keep working. A Set groups cells by release and
// Conditions (the values of those later keys); a cell that does not apply
// to its release (Samples.Inapplicable) is neither a miss nor a gap. Units are
// constants here (units.go) and are always read as written: benchfmt's
// conversions (recover-ns/op to recover-sec/op) are undone on reading.
//
// Files are written complete or not at all (Create, CreatePending,
// CreateTrace commit by renaming), read whole and checked (ReadFile), and
// grouped by release, series and cell (Load, Set). Summaries of samples
// (Summarize, Compare) are the ones benchstat uses, from x/perf's
// benchmath, with medians and percentiles from montanaflynn/stats.
//
// The package builds against every tracked gRPC-Go release's module files,
// whose go line may be 1.21: it keeps to that language version.
package resultset
