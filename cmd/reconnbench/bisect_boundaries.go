package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/mod/semver"
	"golang.org/x/perf/benchfmt"

	"github.com/reconnbench/reconnbench/resultset"
	"github.com/reconnbench/reconnbench/versions"
)

// bisectBoundaries confirms every behaviour boundary of the results
// folder (resultset.Boundaries, those no overlap blurs, in the main
// series) down to the exact release, patches included, and writes a
// bisection for each into the folder's bisect/ folder.
//
// A boundary lies between two consecutive releases of the folder, most
// often the newest patches of consecutive minors, with a few patch
// releases between them; so rather than halving, every release between
// them is measured, each boundary's cells together in one process a
// release, and each cell's first release whose metric differs from the
// older one's, by the same test as bisect's, is the answer.
//
// COUNT runs a release tell a jittered metric's change from the older
// release's only now and then, so an answer the runs leave in doubt is
// measured again with deeperRuns times as many (see doubtful) before it
// is written.
func (b *bisectConfig) bisectBoundaries(ctx context.Context, results string) error {
	d, err := resultset.LoadDir(results)
	if err != nil {
		return err
	}
	type pair struct{ from, to string }
	var pairs []pair
	bounds := map[pair][]resultset.Boundary{}
	for _, bd := range resultset.Boundaries(d) {
		if !bd.Separated || bd.Series != d.Main {
			continue
		}
		p := pair{bd.From, bd.To}
		if bounds[p] == nil {
			pairs = append(pairs, p)
		}
		bounds[p] = append(bounds[p], bd)
	}
	if len(pairs) == 0 {
		fmt.Printf("no behaviour boundary in %s to confirm\n", results)
		return nil
	}
	rels, err := versions.ProxyReleases()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "reconnbench-bisect-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bins := map[string]string{}
	confirmed, unconfirmed := 0, 0
	for _, p := range pairs {
		span := []string{p.from}
		for _, v := range rels {
			if semver.Compare(v, p.from) > 0 && semver.Compare(v, p.to) <= 0 {
				span = append(span, v)
			}
		}
		var cells []resultset.Cell
		seen := map[resultset.Cell]bool{}
		for _, bd := range bounds[p] {
			if !seen[bd.Cell] {
				seen[bd.Cell] = true
				cells = append(cells, bd.Cell)
			}
		}
		fmt.Fprintf(os.Stderr, "bisect: %s → %s: %d changes in %d cells, measuring %d releases\n", p.from, p.to, len(bounds[p]), len(cells), len(span))
		measured := make([]map[resultset.Cell][]*resultset.Result, len(span))
		for i, v := range span {
			if measured[i], err = b.measureCells(ctx, tmp, bins, v, cells, 1); err != nil {
				return err
			}
		}
		deep := map[resultset.Cell][]map[resultset.Cell][]*resultset.Result{} // cells measured again, deeper
		for _, bd := range bounds[p] {
			runs := measured
			values := func(i int) []float64 {
				var xs []float64
				for _, r := range runs[i][bd.Cell] {
					if x, ok := r.Value(bd.Unit); ok {
						xs = append(xs, x)
					}
				}
				return xs
			}
			search := func() int {
				good := &probe{release: p.from, values: values(0)}
				for i := 1; i < len(span); i++ {
					if b.differ(good, &probe{values: values(i)}) {
						return i
					}
				}
				return -1
			}
			first := search()
			if doubtful(values, first, len(span)) {
				if deep[bd.Cell] == nil {
					fmt.Fprintf(os.Stderr, "bisect: %s: measuring %s again, %d runs a release\n", bd, bd.Cell.Short(), deeperRuns*b.run.matrix.Count)
					deep[bd.Cell] = make([]map[resultset.Cell][]*resultset.Result, len(span))
					for i, v := range span {
						if deep[bd.Cell][i], err = b.measureCells(ctx, tmp, bins, v, []resultset.Cell{bd.Cell}, deeperRuns); err != nil {
							return err
						}
					}
				}
				runs = deep[bd.Cell]
				first = search()
			}
			bis := resultset.Bisection{Name: bd.Cell.Name(), Metric: bd.Unit, Good: p.from, Bad: p.to}
			sides := []int{0, len(span) - 1}
			if first < 0 {
				// Kept as a bisection too, so that the report can say the
				// change was looked for and not found.
				bis.First, bis.Last = resultset.NotReproduced, p.to
			} else {
				bis.First, bis.Last = span[first], span[first-1]
				sides = []int{first - 1, first}
			}
			var recs []*benchfmt.Result
			for _, i := range sides {
				for _, r := range runs[i][bd.Cell] {
					recs = append(recs, r.Record())
				}
			}
			if _, err := resultset.WriteBisection(filepath.Join(results, resultset.BisectionDir), bis, recs); err != nil {
				return err
			}
			if first < 0 {
				unconfirmed++
				fmt.Printf("%s: NOT reproduced: no release from %s to %s differs from %s\n", bd, span[1], p.to, p.from)
				continue
			}
			confirmed++
			fmt.Printf("%s: first at %s (the last like %s: %s)\n", bd, span[first], p.from, span[first-1])
		}
	}
	fmt.Printf("%d changes confirmed down to their release, %d not reproduced; bisections in %s\n",
		confirmed, unconfirmed, filepath.Join(results, resultset.BisectionDir))
	return nil
}

// deeperRuns is how many times COUNT a doubtful boundary's cell is
// measured again.
const deeperRuns = 5

// doubtful reports whether a search over a span of releases, whose
// values(i) are the i-th release's and values(0) the older release's,
// found a first release (or none, -1) that its runs leave in doubt: a
// release it took for the older one's like gave a value the older one
// never did, or the first one it took for different gave one the older
// one did. Either means the two releases' values overlap, which a few
// runs of a jittered metric tell apart only now and then.
func doubtful(values func(int) []float64, first, n int) bool {
	good := values(0)
	if len(good) == 0 {
		return false
	}
	lo, hi := slices.Min(good), slices.Max(good)
	inside := func(x float64) bool { return x >= lo && x <= hi }
	last := n
	if first >= 0 {
		last = first
		if slices.ContainsFunc(values(first), inside) {
			return true
		}
	}
	for i := 1; i < last; i++ {
		if slices.ContainsFunc(values(i), func(x float64) bool { return !inside(x) }) {
			return true
		}
	}
	return false
}

// measureCells runs cells against release v, times×COUNT runs each, in
// one process, and returns each cell's results.
func (b *bisectConfig) measureCells(ctx context.Context, tmp string, bins map[string]string, v string, cells []resultset.Cell, times int) (map[resultset.Cell][]*resultset.Result, error) {
	bin, err := b.binary(ctx, tmp, bins, v)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(tmp, "grpc-"+v+".txt")
	defer os.Remove(file)
	defer os.Remove(resultset.TracePath(file))
	m := b.run.matrix
	m.Count *= times
	if err := b.run.runMatrix(ctx, bin, v, m, cells, file, false); err != nil {
		return nil, fmt.Errorf("gRPC-Go %s: %w", v, err)
	}
	rs, err := resultset.ReadFile(file)
	if err != nil {
		return nil, err
	}
	out := map[resultset.Cell][]*resultset.Result{}
	for _, r := range rs {
		if cell, err := r.Cell(); err == nil {
			out[cell] = append(out[cell], r)
		}
	}
	fmt.Fprintf(os.Stderr, "bisect: %-9s %d cells\n", v, len(out))
	return out, nil
}
