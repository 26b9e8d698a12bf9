//go:build go1.25

package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/reconnbench/reconnbench/internal/proctable"
)

// TestNoOrphanServers kills a matrix process in the middle of a tcp cycle,
// as the runner does to a cell that overstays its limit, and checks that
// the server processes it started do not outlive it.
func TestNoOrphanServers(t *testing.T) {
	if testing.Short() || !proctable.Supported {
		t.Skip("starts a matrix process and reads the process table")
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
		servers = proctable.Children(cmd.Process.Pid)
	}
	// Into the cycle: the server serves and the client settles.
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var left []int
		for _, pid := range servers {
			if proctable.Running(pid) {
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
