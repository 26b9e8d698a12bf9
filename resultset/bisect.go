package resultset

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// A Bisection is what make bisect found: the first release, patches
// included, whose Metric of the benchmark Name differs from Good's beyond
// noise, and the last release like Good. It is kept as a results file in
// a bisect/ folder of a results folder (BisectionDir): the results of
// those two releases, each line with its grpc key, and configuration lines
// saying what was bisected.
type Bisection struct {
	Name        Name   // a reconnect cell, or a throughput benchmark
	Metric      string // a unit, as written
	Good, Bad   string // the releases bisect was given
	First, Last string // the first release that differs, and the last like Good
	Paired      bool   // each probe measured beside Good, in alternating rounds of fresh processes
	File        string // where it was read from

	// Values holds the metric by release, in the order of the file: the
	// runs of Last and First and, for a paired bisection, those of Good
	// beside each.
	Values map[string][]float64
}

// Sides returns the two samples that decided the bisection: Last's and
// First's runs, or, for a paired one, Good's runs beside First and
// First's, pair by pair.
func (b Bisection) Sides() (before, after []float64) {
	after = b.Values[b.First]
	if b.First == NotReproduced {
		return b.Values[b.Good], b.Values[b.Bad]
	}
	if !b.Paired {
		return b.Values[b.Last], after
	}
	good := b.Values[b.Good]
	if len(good) < len(after) {
		return good, after
	}
	return good[len(good)-len(after):], after
}

// Compare judges the two sides of the bisection as bisect did.
func (b Bisection) Compare() Comparison {
	before, after := b.Sides()
	if b.Paired {
		return ComparePaired(before, after)
	}
	return Compare(before, after)
}

// NotReproduced is a bisection's First when no release from Good to Bad
// differed from Good: the change its results showed was not seen again.
const NotReproduced = "none"

// BisectionDir is where a results folder keeps its bisections. Beside a
// bisection's file, a file of the same name ending in .cause.md may say,
// in words, what in the first release causes the change: written by hand
// from its source and release notes, since no run can measure a cause.
const BisectionDir = "bisect"

// CausePath returns the file that may explain the bisection read from
// path.
func CausePath(path string) string { return strings.TrimSuffix(path, ".txt") + ".cause.md" }

// The configuration keys of a bisection file.
var bisectKeys = []string{"bisect-bench", "bisect-metric", "bisect-good", "bisect-bad", "bisect-first", "bisect-last", "bisect-paired"}

// FileName is the name of the bisection's file in BisectionDir.
func (b Bisection) FileName() string {
	slug := strings.NewReplacer("/", "_", "=", "-").Replace(b.Name.String() + "." + b.Metric)
	return fmt.Sprintf("%s.%s-%s.txt", slug, b.Good, b.Bad)
}

// WriteBisection writes b, with the results of the releases it measured,
// into the folder dir, complete or not at all.
func WriteBisection(dir string, b Bisection, results []*benchfmt.Result) (string, error) {
	path := filepath.Join(dir, b.FileName())
	w, err := Create(path)
	if err != nil {
		return "", err
	}
	defer w.Discard()
	vals := []string{b.Name.String(), b.Metric, b.Good, b.Bad, b.First, b.Last, fmt.Sprint(b.Paired)}
	for _, r := range results {
		r = r.Clone()
		for i, k := range bisectKeys {
			r.SetConfig(k, vals[i])
		}
		for i := range r.Config {
			for _, k := range bisectKeys {
				if r.Config[i].Key == k {
					r.Config[i].File = true
				}
			}
		}
		if err := w.Write(r); err != nil {
			return "", err
		}
	}
	return path, w.Commit()
}

// ReadBisections reads every bisection of the results folder dir; none is
// no error.
func ReadBisections(dir string) ([]Bisection, error) {
	files, err := filepath.Glob(filepath.Join(dir, BisectionDir, "*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Bisection
	for _, f := range files {
		b, err := readBisection(f)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func readBisection(path string) (Bisection, error) {
	f, err := os.Open(path)
	if err != nil {
		return Bisection{}, err
	}
	defer f.Close()
	rs, err := Read(f, path)
	if err != nil {
		return Bisection{}, err
	}
	if len(rs) == 0 {
		return Bisection{}, fmt.Errorf("%s: no results in a bisection file", path)
	}
	r := rs[0]
	for _, k := range bisectKeys {
		if r.Config(k) == "" {
			return Bisection{}, fmt.Errorf("%s:%d: configuration lacks %s: not a bisection file", path, r.Line, k)
		}
	}
	n, err := ParseName(r.Config("bisect-bench"))
	if err != nil {
		return Bisection{}, fmt.Errorf("%s:%d: %w", path, r.Line, err)
	}
	b := Bisection{Name: n, Metric: r.Config("bisect-metric"), Good: r.Config("bisect-good"), Bad: r.Config("bisect-bad"),
		First: r.Config("bisect-first"), Last: r.Config("bisect-last"), Paired: r.Config("bisect-paired") == "true", File: path,
		Values: map[string][]float64{}}
	for _, r := range rs {
		if x, ok := r.Value(b.Metric); ok {
			b.Values[r.Config("grpc")] = append(b.Values[r.Config("grpc")], x)
		}
	}
	return b, nil
}
