//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// lockName is the lock file of a results folder.
const lockName = ".lock"

// lockResults takes the results folder dir for this process: a second run
// into it stops at once, before it writes anything, with one line naming
// the folder and the process that holds it. The lock is the kernel's
// (flock), so it goes with the process that holds it however that ends,
// and never outlives it. release gives it back.
// The folder must exist.
func lockResults(dir, what string) (release func(), err error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results folder %q is not writable (%v): RESULTS must be a folder that can be written, such as results", dir, pathCause(err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("results folder %q is in use by %s: wait for it to end, or give RESULTS another folder", dir, describeHolder(string(holder)))
		}
		return nil, fmt.Errorf("results folder %q cannot be locked: %v", dir, err)
	}
	f.Truncate(0)
	fmt.Fprintf(f, "%d %s %s\n", os.Getpid(), time.Now().Format(time.RFC3339), what)
	return func() {
		f.Truncate(0)
		f.Close() // closing the last descriptor releases the lock
	}, nil
}

// describeHolder turns the lock file's line, "pid time command", into
// words.
func describeHolder(line string) string {
	f := strings.SplitN(strings.TrimSpace(line), " ", 3)
	if len(f) < 3 {
		return "another process"
	}
	if _, err := strconv.Atoi(f[0]); err != nil {
		return "another process"
	}
	return fmt.Sprintf("process %s (reconnbench %s, started %s)", f[0], f[2], f[1])
}

// pathCause strips the operation and path an *os.PathError repeats.
func pathCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
