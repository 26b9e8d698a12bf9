//go:build !unix

package versions

import "os/exec"

// ownGroup makes the end of cmd's context kill it; this system has no
// process groups to kill its children with it.
func ownGroup(cmd *exec.Cmd) {
	cmd.WaitDelay = waitDelay
}
