// Package proctable reads the system's process table, for tests that check
// that no process outlives the one that started it. It reads /proc, so it
// knows processes on Linux only; elsewhere Supported is false and the
// tests that need it skip.
package proctable

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Supported reports whether this system's process table can be read.
var Supported = runtime.GOOS == "linux"

// Children lists the processes whose parent is pid.
func Children(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []int
	for _, name := range stats {
		if f := stat(name); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			id, _ := strconv.Atoi(filepath.Base(filepath.Dir(name)))
			kids = append(kids, id)
		}
	}
	return kids
}

// Running reports whether pid exists and is not a zombie waiting for a
// reaper (in a container, PID 1 may not reap).
func Running(pid int) bool {
	f := stat("/proc/" + strconv.Itoa(pid) + "/stat")
	return len(f) > 0 && f[0] != "Z"
}

// stat returns the fields of a /proc stat file after the command name,
// which may hold spaces and parentheses: state, ppid, ...
func stat(name string) []string {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}
