package bench

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/netsim"
	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/strategies"
)

// Matrix is every combination of strategies, faults and traffic modes, each
// run Count times.
type Matrix struct {
	Strategies []string
	Faults     []string
	Traffic    []Traffic
	Count      int   // result lines per cell
	Cycles     int   // restart cycles averaged into each result line
	Clock      Clock // Virtual or Real
	Base       Scenario
	// Traces, if set, receives the trace of each cell's first cycle in
	// the trace file format.
	Traces io.Writer
}

// DefaultMatrix is every registered strategy, fault and traffic mode.
func DefaultMatrix() Matrix {
	return Matrix{
		Strategies: strategies.Names(),
		Faults:     netsim.FaultNames(),
		Traffic:    TrafficModes(),
		Count:      6,
		Cycles:     1,
		Clock:      Virtual,
	}
}

// Validate checks every name and number in m, naming the first bad one and
// what would be valid.
func (m Matrix) Validate() error {
	for _, s := range m.Strategies {
		if _, err := strategies.Lookup(s); err != nil {
			return err
		}
	}
	for _, f := range m.Faults {
		if _, err := netsim.LookupFault(f); err != nil {
			return err
		}
	}
	for _, t := range m.Traffic {
		if _, err := ParseTraffic(string(t)); err != nil {
			return err
		}
	}
	if err := CheckClock(m.Clock); err != nil {
		return err
	}
	if err := checkNetClock(m.Base.Net, m.Clock); err != nil {
		return err
	}
	if m.Count <= 0 {
		return fmt.Errorf("count %d: must be at least 1", m.Count)
	}
	if m.Cycles <= 0 {
		return fmt.Errorf("cycles %d: must be at least 1", m.Cycles)
	}
	if len(m.Strategies) == 0 || len(m.Faults) == 0 || len(m.Traffic) == 0 {
		return errors.New("the matrix is empty: give at least one strategy, fault and traffic mode")
	}
	_, err := m.Base.resolveParams()
	return err
}

// Scenarios returns the cells of m in the order they run.
func (m Matrix) Scenarios() []Scenario {
	var scs []Scenario
	for _, s := range m.Strategies {
		for _, f := range m.Faults {
			for _, t := range m.Traffic {
				sc := m.Base
				sc.Strategy, sc.Fault, sc.Traffic = s, f, t
				scs = append(scs, sc)
			}
		}
	}
	return scs
}

// CellError is a cell that could not be measured.
type CellError struct {
	Scenario Scenario
	Err      error
}

func (e *CellError) Error() string { return e.Scenario.Name() + ": " + e.Err.Error() }

func (e *CellError) Unwrap() error { return e.Err }

// Run runs every cell, writing one result per run of Cycles cycles to w and
// a line per cell to progress. A cell that fails is reported in the
// returned errors and the others still run.
func (m Matrix) Run(t *testing.T, env Env, w *benchfmt.Writer, progress io.Writer) []*CellError {
	scs := m.Scenarios()
	var failed []*CellError
	start := time.Now()
	for i, sc := range scs {
		cellStart := time.Now()
		missed, err := m.runCell(t, env, sc, w)
		status := fmt.Sprintf("missed %d/%d", missed, m.Count*m.Cycles)
		if err != nil {
			failed = append(failed, &CellError{sc, err})
			status = "FAILED: " + err.Error()
		}
		fmt.Fprintf(progress, "[%d/%d %s] %s: %s in %v\n", i+1, len(scs), time.Since(start).Round(time.Second),
			sc.Name(), status, time.Since(cellStart).Round(time.Millisecond))
		if Stuck(err) {
			// The stalled bubble or hung cycle keeps its goroutines;
			// nothing more can run reliably in this process.
			for _, rest := range scs[i+1:] {
				failed = append(failed, &CellError{rest, errors.New("not run: an earlier cell left this process stuck")})
			}
			break
		}
	}
	return failed
}

func (m Matrix) runCell(t *testing.T, env Env, sc Scenario, w *benchfmt.Writer) (missed int, err error) {
	for run := 0; run < m.Count; run++ {
		cycles := make([]Cycle, m.Cycles)
		for i := range cycles {
			c, err := RunOn(t, m.Clock, sc)
			if err != nil {
				return missed, err
			}
			if c.Corrupt > 0 {
				return missed, fmt.Errorf("%d log entries arrived corrupt: the network damaged data", c.Corrupt)
			}
			if !c.Recovered {
				missed++
			}
			if m.Traces != nil && run == 0 && i == 0 {
				if err := resultset.WriteCellTrace(m.Traces, resultset.CellTrace{Cell: sc.Cell(), Events: c.Trace}); err != nil {
					return missed, err
				}
			}
			cycles[i] = c
		}
		if err := w.Write(Result(env, sc, cycles)); err != nil {
			return missed, err
		}
	}
	return missed, nil
}

// ParseList splits a list given as comma- or space-separated words.
func ParseList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
