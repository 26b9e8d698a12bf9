package plots

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/reconnbench/reconnbench/resultset"
)

// The README's findings stand between these markers; Write with
// Options.Readme rewrites what is between them from the results, so that
// no finding there is typed by hand.
const (
	readmeBegin = "<!-- findings: written by `reconnbench plots -readme`, from the results; do not edit -->"
	readmeEnd   = "<!-- end of findings -->"
)

// readmeFindings is the README's block: what the results are, the advice
// table, and the releases where behaviour changes.
func readmeFindings(all *resultset.Set, bs []resultset.Bisection) string {
	runs := all.SeriesRuns()[0]
	newest := runs[len(runs)-1]
	var b strings.Builder
	fmt.Fprintf(&b, "Measured: %d gRPC-Go releases from %s to %s, %d strategies, %d cells on %s; %s.\n\n",
		len(runs), runs[0].Label, newest.Label, len(all.Strategies), len(newest.Cells), newest.Label, all.Main.Describe())
	b.WriteString("Per situation and strategy: ✓ where every cycle of every cell recovered (after a rotation, where no cycle replayed to a " +
		"server that already held the log; with round_robin, where every backend was READY again), ✗ where some did not, with how many of the situation's cells, n/a where it does not apply " +
		"to the release; stretches of releases that fared alike are joined.\n\n")
	b.WriteString(adviceTable(all))
	if sv := serviceSentences(all); len(sv) > 0 {
		b.WriteString("\nMoved servers and several backends, release by release (how the report reads them):\n\n")
		for _, line := range sv {
			fmt.Fprintf(&b, "- %s\n", line)
		}
	}
	b.WriteString("\nWhere behaviour changes between consecutive releases (every change is listed in the report):\n\n")
	for _, line := range boundarySummary(all, bs) {
		fmt.Fprintf(&b, "- %s\n", line)
	}
	return b.String()
}

// boundarySummary is a line per pair of consecutive releases with
// behaviour changes that no overlap blurs: which metrics, in how many
// cells of which strategies, and the bisections that confirm them.
func boundarySummary(all *resultset.Set, bs []resultset.Bisection) []string {
	type pair struct{ from, to string }
	var order []pair
	units := map[pair][]string{}
	cells := map[pair]map[resultset.Cell]bool{}
	strategies := map[pair][]string{}
	for _, b := range resultset.Boundaries(all) {
		if !b.Separated || b.Series != all.Main {
			continue
		}
		p := pair{b.From, b.To}
		if cells[p] == nil {
			order = append(order, p)
			cells[p] = map[resultset.Cell]bool{}
		}
		cells[p][b.Cell] = true
		if !contains(units[p], b.Unit) {
			units[p] = append(units[p], b.Unit)
		}
		if !contains(strategies[p], b.Cell.Strategy) {
			strategies[p] = append(strategies[p], b.Cell.Strategy)
		}
	}
	if len(order) == 0 {
		return []string{"none between any two consecutive releases measured."}
	}
	var out []string
	for _, p := range order {
		n := fmt.Sprintf("%d cells", len(cells[p]))
		if len(cells[p]) == 1 {
			n = "1 cell"
		}
		line := fmt.Sprintf("**%s → %s**: %s in %s of %s", p.from, p.to, strings.Join(units[p], ", "), n, list(strategies[p]))
		var firsts []string
		unseen := 0
		for _, b := range bs {
			c, err := b.Name.Cell()
			if err != nil || !cells[p][c] || b.Good != p.from || b.Bad != p.to {
				continue
			}
			switch {
			case b.First == resultset.NotReproduced:
				unseen++
			case !contains(firsts, b.First):
				firsts = append(firsts, b.First)
			}
		}
		switch {
		case len(firsts) > 0:
			line += fmt.Sprintf("; `make bisect` finds the first release, patches included: %s", list(firsts))
			if unseen > 0 {
				line += fmt.Sprintf(" (%d of the changes it did not see again)", unseen)
			}
		case unseen > 0:
			line += "; `make bisect` did not see it again: likely jitter"
		}
		out = append(out, line+".")
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// rewriteReadme returns the README at path with its findings block
// replaced by block.
func rewriteReadme(path, block string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	i := bytes.Index(data, []byte(readmeBegin))
	j := bytes.Index(data, []byte(readmeEnd))
	if i < 0 || j < i {
		return nil, fmt.Errorf("%s: no findings block to rewrite: want a line %q and, after it, %q", path, readmeBegin, readmeEnd)
	}
	var out bytes.Buffer
	out.Write(data[:i+len(readmeBegin)])
	out.WriteString("\n\n" + block + "\n")
	out.Write(data[j:])
	return out.Bytes(), nil
}
