package resultset

import "golang.org/x/perf/benchfmt"

// Units of a reconnect result. Every unit is per cycle ("/op"); a results
// line averages over its cycles, its iteration count. Time units contain
// "ns" so that benchstat scales them: it shows recover-ns/op as
// recover-sec/op. This package always reads values as written.
const (
	UnitRecover    = "recover-ns/op"       // fault to replay complete on the restarted server instance; recovered cycles only
	UnitMissed     = "missed/op"           // fraction of cycles that needed a replay (the server restarted) and never got one
	UnitDetect     = "detect-ns/op"        // fault to the last connection open at the fault given up; cycles that had one and gave all up
	UnitUndetected = "undetected/op"       // fraction of cycles with a connection open at the fault never given up
	UnitRestart    = "restart-ns/op"       // fault to the last server instance serving; faults that restart only
	UnitDials      = "dials/op"            // dial attempts from the fault to the end of the cycle
	UnitLost       = "lost-msgs/op"        // log entries the last server instance lacks at the end
	UnitDuplicated = "dup-msgs/op"         // extra copies of log entries on the last server instance, after the first replay
	UnitReplays    = "replays/op"          // replay streams that ended on the last server instance after the first replay
	UnitSpurious   = "spurious-replays/op" // replays that began on a server instance already holding the whole log, any instance
	// Units of a service (a dns resolver, several backends): what the
	// client's traffic and connections went through, where a replay to
	// one server does not say it all.
	UnitFailedRPCs = "failed-rpcs/op"  // share of the traffic's RPCs begun from the fault to the end of the event that failed; cycles with RPCs
	UnitAllReady   = "all-ready-ns/op" // fault to a connection of the client's accepted by every backend's last instance; cycles where it happened
	UnitUnready    = "unready/op"      // fraction of cycles where some backend's last instance never got a connection of the client's
	// UnitInapplicable marks a cell that does not apply to the linked
	// release (client=newclient before gRPC-Go v1.63): its lines carry
	// this unit, value 1, and nothing else. Such a cell is neither a miss
	// nor unmeasured: readers show it as n/a.
	UnitInapplicable = "inapplicable/op"
)

// Units of the throughput benchmarks (testing.B), besides the standard
// ns/op, MB/s, B/op and allocs/op.
const (
	UnitNsPerOp   = "ns/op"
	UnitMBPerSec  = "MB/s"
	UnitMsgsPerS  = "msgs/s"  // messages per second
	UnitGCPerMmsg = "gc/Mmsg" // GC cycles per million messages
	// UnitCPUPerMsg is the process's CPU time (user and system, client and
	// server together) per message: unlike msgs/s, it does not count time
	// spent waiting for a core another process holds.
	UnitCPUPerMsg = "cpu-ns/msg"
)

// ReconnectUnits are the units of a reconnect result, in the order a
// line carries them.
// (A cell that does not apply to the release carries UnitInapplicable
// alone.)
// Lines of a service cell (one that is not a single backend behind the
// passthrough resolver) carry the service units too, after the others.
var ReconnectUnits = []string{UnitRecover, UnitMissed, UnitDetect, UnitUndetected, UnitRestart,
	UnitDials, UnitLost, UnitDuplicated, UnitReplays, UnitSpurious, UnitFailedRPCs, UnitAllReady, UnitUnready}

// IsFraction reports whether unit is the fraction of a line's cycles in
// which something happened (missed/op, undetected/op, inapplicable/op):
// its value is at most 1, and a line's value counts for as many cycles as
// it averages.
func IsFraction(unit string) bool {
	return unit == UnitMissed || unit == UnitUndetected || unit == UnitInapplicable || unit == UnitUnready
}

// IsTime reports whether unit is a duration in nanoseconds.
func IsTime(unit string) bool {
	switch unit {
	case UnitRecover, UnitDetect, UnitRestart, UnitAllReady, UnitNsPerOp:
		return true
	}
	return false
}

// asWritten returns a value's unit and value as the file has them:
// benchfmt converts some units on reading (recover-ns/op to
// recover-sec/op) and keeps the original beside the converted form.
func asWritten(v benchfmt.Value) (unit string, value float64) {
	if v.OrigUnit != "" {
		return v.OrigUnit, v.OrigValue
	}
	return v.Unit, v.Value
}
