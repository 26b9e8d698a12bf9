package main

import (
	"strings"
	"sync"
	"time"
)

// waitDelay bounds how long a killed child's output may keep Wait waiting.
const waitDelay = 5 * time.Second

// cellError is a failed matrix process: how it ended, and why, from what it
// printed on standard error.
type cellError struct {
	err error
	out *childOutput
}

// Error is how the process ended and the reason it gave, then an excerpt
// of the stack it printed, indented.
func (e *cellError) Error() string {
	reason, excerpt := summarize(e.out.lines())
	msg := e.err.Error()
	if reason != "" {
		msg += ": " + reason
	}
	for _, l := range excerpt {
		msg += "\n    " + l
	}
	return msg
}

func (e *cellError) Unwrap() error { return e.err }

// excerptLines bounds the stack excerpt of a failed cell.
const excerptLines = 16

// summarize finds why a test binary failed in what it printed: a panic or
// fatal error of the runtime with the top of the stack that raised it, or
// the harness's own FAILED lines with what they say, or else the last
// lines it printed.
func summarize(lines []string) (reason string, excerpt []string) {
	for i, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return l, stackExcerpt(lines[i+1:])
		}
	}
	for i, l := range lines {
		if r, ok := strings.CutPrefix(l, "reconnbench: FAILED "); ok {
			if cell, why, ok := strings.Cut(r, ": "); ok && strings.HasPrefix(cell, "Reconnect/") {
				r = why // the cell is named already
			}
			rest := lines[i+1:]
			for j, m := range rest {
				if strings.HasPrefix(m, "reconnbench: ") || strings.HasPrefix(m, "--- FAIL") || m == "FAIL" {
					rest = rest[:j]
					break
				}
			}
			return r, trimLines(rest)
		}
	}
	if len(lines) == 0 {
		return "", nil
	}
	last := len(lines) - 1
	return lines[last], trimLines(lines[max(0, last-excerptLines):last])
}

// stackExcerpt returns the top of the first goroutine's stack after a
// panic line, from the frame that panicked: the runtime's and the testing
// package's own panic handling are left out.
func stackExcerpt(lines []string) []string {
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "goroutine ") {
			start = i
			break
		}
	}
	if start < 0 {
		return nil
	}
	header := lines[start]
	frames := lines[start+1:]
	for i, l := range frames {
		if l == "" {
			frames = frames[:i]
			break
		}
	}
	// Start at the frame that called panic, where there is one.
	for i := len(frames) - 1; i >= 0; i-- {
		if strings.HasPrefix(frames[i], "panic(") {
			frames = frames[min(i+2, len(frames)):]
			break
		}
	}
	return trimLines(append([]string{header}, frames...))
}

func trimLines(lines []string) []string {
	if len(lines) > excerptLines {
		return append(lines[:excerptLines:excerptLines], "...")
	}
	return lines
}

// childOutput keeps what a child process prints: the beginning, where a
// panic's stack starts, and the last lines.
type childOutput struct {
	mu   sync.Mutex
	head strings.Builder
	tail tailBuffer
}

// headBytes bounds the beginning kept.
const headBytes = 64 << 10

func (o *childOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	if n := headBytes - o.head.Len(); n > 0 {
		o.head.Write(p[:min(n, len(p))])
	}
	o.mu.Unlock()
	return o.tail.Write(p)
}

// lines returns the output's lines: all of it when it was short, else its
// beginning and its last lines.
func (o *childOutput) lines() []string {
	o.mu.Lock()
	head := o.head.String()
	o.mu.Unlock()
	if head == "" {
		return nil
	}
	if len(head) < headBytes {
		return strings.Split(strings.TrimRight(head, "\n"), "\n")
	}
	lines := strings.Split(head, "\n")
	lines = lines[:len(lines)-1] // cut mid-line
	return append(append(lines, "..."), strings.Split(o.tail.String(), "\n")...)
}

// tailBuffer keeps the last lines written to it.
type tailBuffer struct {
	mu    sync.Mutex
	lines []string
	part  string
}

const tailLines = 25

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.part + string(p)
	parts := strings.Split(s, "\n")
	b.part = parts[len(parts)-1]
	b.lines = append(b.lines, parts[:len(parts)-1]...)
	if len(b.lines) > tailLines {
		b.lines = b.lines[len(b.lines)-tailLines:]
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := b.lines
	if b.part != "" {
		lines = append(lines, b.part)
	}
	return strings.Join(lines, "\n")
}
