package proctable

import (
	"os"
	"os/exec"
	"slices"
	"testing"
)

func TestChildren(t *testing.T) {
	if !Supported {
		t.Skip("no process table here")
	}
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	pid := cmd.Process.Pid
	if !slices.Contains(Children(os.Getpid()), pid) || !Running(pid) {
		t.Errorf("started %d: children %v, running %v", pid, Children(os.Getpid()), Running(pid))
	}
	cmd.Process.Kill()
	cmd.Wait()
	if slices.Contains(Children(os.Getpid()), pid) || Running(pid) {
		t.Errorf("reaped %d: still a child or running", pid)
	}
}
