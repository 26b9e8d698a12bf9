//go:build go1.25

package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNoOrphanServers kills a matrix process in the middle of a tcp cycle,
// as the runner does to a cell that overstays its limit, and checks that
// the server processes it started do not outlive it.
func TestNoOrphanServers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a matrix process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMatrix$", "-matrix.out="+filepath.Join(t.TempDir(), "out.txt"),
		"-matrix.net=tcp", "-matrix.clock=real", "-matrix.strategies=watcher", "-matrix.faults=crash",
		"-matrix.traffic=idle", "-matrix.count=1", "-matrix.progress=false")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()

	var servers []int
	for deadline := time.Now().Add(30 * time.Second); len(servers) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the matrix process started no server process within 30s")
		}
		servers = childrenOf(cmd.Process.Pid)
	}
	// Into the cycle: the server serves and the client settles.
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var left []int
		for _, pid := range servers {
			if running(pid) {
				left = append(left, pid)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, pid := range left {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			t.Fatalf("server processes %v outlived their matrix process by 10s", left)
		}
	}
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []int
	for _, name := range stats {
		if fields := procStat(name); len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			id, _ := strconv.Atoi(filepath.Base(filepath.Dir(name)))
			kids = append(kids, id)
		}
	}
	return kids
}

// running reports whether pid exists and is not a zombie waiting for a
// reaper (in a container, PID 1 may not reap).
func running(pid int) bool {
	fields := procStat("/proc/" + strconv.Itoa(pid) + "/stat")
	return len(fields) > 0 && fields[0] != "Z"
}

// procStat returns the fields of a /proc stat file after the command name:
// state, ppid, ...
func procStat(name string) []string {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}
