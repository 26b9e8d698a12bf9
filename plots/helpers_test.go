package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// configBlock is a results file's configuration block.
func configBlock(release, goVersion, clock, link string) string {
	return fmt.Sprintf("goos: linux\ngoarch: amd64\ngrpc: %s\ngo: %s\nclock: %s\nlink: %s\ndowntime: 1s\ndeadline: 1m0s\nlog: 1000x256B\n\n",
		release, goVersion, clock, link)
}

// reconnect is one results line: a cycle that recovered after secs
// seconds, or missed when secs < 0.
func reconnect(strategy, fault, traffic string, secs float64, dials int) string {
	name := fmt.Sprintf("BenchmarkReconnect/strategy=%s/scenario=%s/traffic=%s 1", strategy, fault, traffic)
	if secs < 0 {
		return fmt.Sprintf("%s 1 missed/op 1 undetected/op %d dials/op 1000 lost-msgs/op\n", name, dials)
	}
	detect := ""
	if fault == "crash" {
		detect = "0 detect-ns/op "
	}
	undetected := "0"
	if detect == "" {
		undetected = "1"
	}
	return fmt.Sprintf("%s %g recover-ns/op 0 missed/op %s%s undetected/op %d dials/op 0 lost-msgs/op\n",
		name, secs*1e9, detect, undetected, dials)
}

// synth is the text of a results file for release v: strategy "good"
// recovers in every cell, 1.0 to 1.5 s after the fault; "bad" recovers in
// 2 s before v1.41.0 and misses every idle cycle from it on, as the dialer
// strategy does.
func synth(v, clock string) string {
	var b strings.Builder
	b.WriteString(configBlock(v, "go1.26.8", clock, "local"))
	for _, fault := range []string{"blackhole", "crash"} {
		for _, traffic := range []string{"idle", "busy"} {
			for i := range 6 {
				b.WriteString(reconnect("good", fault, traffic, 1+float64(i)/10, 2))
				if traffic == "idle" && v >= "v1.41.0" {
					b.WriteString(reconnect("bad", fault, traffic, -1, 0))
				} else {
					b.WriteString(reconnect("bad", fault, traffic, 2, 3))
				}
			}
		}
	}
	return b.String()
}

// write writes content to dir/name and returns the path.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// synthFolder is a results folder of three releases with a trace for the
// newest.
func synthFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{"v1.40.1", "v1.41.0", "v1.85.0"} {
		write(t, dir, "grpc-"+v+".txt", synth(v, "virtual"))
	}
	var tr strings.Builder
	tr.WriteString("# reconnbench trace: cell, ns since the fault, event, detail\n")
	for _, ev := range []string{
		"-2000000000\tstate\tREADY", "0\tfault\tcrash", "0\tgive-up\tclient:1", "0\tlost\t", "0\tstate\tTRANSIENT_FAILURE",
		"0\tdial\trefused", "1000000000\tserver-up\t2", "1000000000\tdial\taccepted", "1000000000\tstate\tREADY",
		"1000000000\treplay-start\t", "1000000000\trecovered\t", "1000000000\treplay-end\tok",
	} {
		tr.WriteString("BenchmarkReconnect/strategy=good/scenario=crash/traffic=idle\t" + ev + "\n")
	}
	for _, ev := range []string{"-2000000000\tstate\tREADY", "0\tfault\tcrash", "0\tgive-up\tclient:1", "0\tstate\tIDLE", "1000000000\tserver-up\t2"} {
		tr.WriteString("BenchmarkReconnect/strategy=bad/scenario=crash/traffic=idle\t" + ev + "\n")
	}
	write(t, dir, "grpc-v1.85.0.trace", tr.String())
	return dir
}
