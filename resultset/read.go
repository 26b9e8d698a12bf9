package resultset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"golang.org/x/mod/semver"
	"golang.org/x/perf/benchfmt"
)

// A Result is one results line: a benchmark, how many iterations (for a
// reconnect cell, cycles) it averages, and its values in the units as
// written.
type Result struct {
	Name   Name
	Iters  int
	Values []Value
	File   string // where the line is, for errors
	Line   int
	rec    *benchfmt.Result
}

// A Value is one value of a result, in its unit as written.
type Value struct {
	Unit  string
	Value float64
}

// Value returns the value of unit, if the result has one. A latency that
// never happened is absent, never a zero.
func (r *Result) Value(unit string) (float64, bool) {
	for _, v := range r.Values {
		if v.Unit == unit {
			return v.Value, true
		}
	}
	return 0, false
}

// Config returns the value of configuration key k ("grpc", "go", ...).
func (r *Result) Config(k string) string { return r.rec.GetConfig(k) }

// Record returns the result as benchfmt has it, to write it elsewhere.
func (r *Result) Record() *benchfmt.Result { return r.rec }

// Cell returns the reconnect cell of the result.
func (r *Result) Cell() (Cell, error) { return r.Name.Cell() }

// errorf makes an error that names the result's file, line and benchmark.
func (r *Result) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s: %s", r.File, r.Line, r.Name, fmt.Sprintf(format, args...))
}

// Read reads every result of a file in the Go benchmark format; file names
// it in errors, which give the line. It reads what a test binary prints as
// well as what make bench writes, and checks only the syntax and the
// benchmark names. Configuration and unit lines are kept with each result.
func Read(r io.Reader, file string) ([]*Result, error) {
	var out []*Result
	br := benchfmt.NewReader(r, file)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, rec // "file:line: message"
		case *benchfmt.Result:
			fn, line := rec.Pos()
			name, err := ParseName(string(rec.Name.Full()))
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", fn, line, err)
			}
			res := &Result{Name: name, Iters: rec.Iters, File: fn, Line: line, rec: rec.Clone()}
			for _, v := range rec.Values {
				u, x := asWritten(v)
				res.Values = append(res.Values, Value{u, x})
			}
			out = append(out, res)
		}
	}
	if err := br.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, tooLongError{file}
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return out, nil
}

// tooLongError is a line too long for benchfmt's scanner, which cannot say
// which line it was.
type tooLongError struct{ file string }

func (e tooLongError) Error() string {
	return fmt.Sprintf("%s: a line longer than %d bytes: not a results file", e.file, bufio.MaxScanTokenSize-1)
}

func (e tooLongError) Unwrap() error { return bufio.ErrTooLong }

// ConfigKeys are the configuration keys every result of a results file
// carries: what must never be pooled.
var ConfigKeys = []string{"grpc", "go", "clock", "link"}

// ReadFile reads a results file that make bench wrote, and checks that it
// holds what make bench writes (see Check). Every problem is one error
// naming the file and, where there is one, the line.
func ReadFile(path string) ([]*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rs, err := Read(f, path)
	if err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes: not a results line", path, longLine(path, bufio.MaxScanTokenSize), bufio.MaxScanTokenSize-1)
		}
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%s: no benchmark results in the file (remove it, or run make bench again)", path)
	}
	check := newFileCheck(path)
	for _, r := range rs {
		if err := check.check(r); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// longLine returns the number of the first line of file that does not fit,
// newline included, in limit bytes, or 0 if it cannot tell: benchfmt names
// the line before it.
func longLine(file string, limit int) int {
	f, err := os.Open(file)
	if err != nil {
		return 0
	}
	defer f.Close()
	br := bufio.NewReader(f)
	for line, n := 1, 0; ; {
		b, err := br.ReadByte()
		if err != nil {
			return 0
		}
		if n++; n >= limit && b != '\n' {
			return line
		}
		if b == '\n' {
			line, n = line+1, 0
		}
	}
}

// fileCheck checks, result by result, that a results file holds what the
// runner writes:
//   - every result has each of ConfigKeys;
//   - all are of one release, the one the file is named for, of one
//     toolchain and of one link; the clock is virtual or real;
//   - a reconnect result names a whole cell;
//   - every value is a finite number, at least 0, a fraction at most 1,
//     over at least one iteration.
//
// Virtual and real results do mix in one file, by design: a cell that
// stalls the virtual clock is rerun on the real one, and the replay
// throughput is measured on it; readers keep them apart by the clock key.
type fileCheck struct {
	path  string
	first map[string]firstSeen
}

type firstSeen struct {
	value string
	line  int
}

func newFileCheck(path string) *fileCheck {
	return &fileCheck{path: path, first: map[string]firstSeen{}}
}

func (c *fileCheck) check(r *Result) error {
	var missing []string
	for _, k := range ConfigKeys {
		if r.Config(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return r.errorf("configuration lacks %s (every result needs %s, as make bench writes them)",
			strings.Join(missing, ", "), strings.Join(ConfigKeys, ", "))
	}
	v := r.Config("grpc")
	if !semver.IsValid(v) {
		return r.errorf("configuration grpc is %q, want a gRPC-Go version such as v1.85.0", v)
	}
	if named := ReleaseOfFile(c.path); named != "" && v != named {
		return r.errorf("configuration grpc is %s but the file is named for %s: a results file holds one release", v, named)
	}
	if clock := r.Config("clock"); clock != "virtual" && clock != "real" {
		return r.errorf("configuration clock is %q, want virtual or real", clock)
	}
	for _, k := range []string{"grpc", "go", "link"} {
		v := r.Config(k)
		f, ok := c.first[k]
		if !ok {
			c.first[k] = firstSeen{v, r.Line}
			continue
		}
		if v != f.value {
			return r.errorf("configuration %s is %s but line %d says %s: a results file holds one release, toolchain and link (results of others go in files of their own)",
				k, v, f.line, f.value)
		}
	}
	if r.Name.Base == Reconnect {
		if _, err := r.Name.Cell(); err != nil {
			return fmt.Errorf("%s:%d: %w", r.File, r.Line, err)
		}
	}
	return checkValues(r)
}

// checkValues rejects what no run writes and what would turn into
// nonsense in a figure: a line of fewer than one iteration, a value that
// is not a finite non-negative number, a fraction above 1.
func checkValues(r *Result) error {
	if r.Iters < 1 {
		return r.errorf("iteration count %d: want at least 1", r.Iters)
	}
	for _, v := range r.Values {
		switch {
		case math.IsNaN(v.Value) || math.IsInf(v.Value, 0) || v.Value < 0:
			return r.errorf("%s %v: want a finite number, at least 0", v.Unit, v.Value)
		case IsFraction(v.Unit) && v.Value > 1:
			return r.errorf("%s %v: want a fraction of the cycles, 0 to 1", v.Unit, v.Value)
		}
	}
	return nil
}
