//go:build unix

package versions

import (
	"os/exec"
	"syscall"
)

// ownGroup puts cmd, once started, in a process group of its own and makes
// the end of its context kill the whole group: the go command's compilers
// and linkers too, not only the go command.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
}
