package resultset

// Merge writes the results of files into one results file at path,
// through a temporary file renamed into place when complete; path may be
// among files. keep says which results go in, by the file they come from
// and their benchmark name; nil keeps all. Reconnect cells are written under their names as this
// package spells them, so a merge also brings older files up to date.
func Merge(path string, files []string, keep func(file string, name Name) bool) error {
	w, err := Create(path)
	if err != nil {
		return err
	}
	defer w.Discard() // a no-op once committed
	for _, file := range files {
		rs, err := ReadFile(file)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if keep != nil && !keep(file, r.Name) {
				continue
			}
			rec := r.Record()
			if c, err := r.Cell(); err == nil {
				rec = rec.Clone()
				rec.Name = []byte(c.String())
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
	}
	return w.Commit()
}

// MergeTraces writes the trace files of the results files files into the
// trace file at path, committed into place when complete. keep is as for
// Merge, with the results file's name and the cell's; nil keeps all.
func MergeTraces(path string, files []string, keep func(file string, name Name) bool) error {
	w, err := CreateTrace(path)
	if err != nil {
		return err
	}
	defer w.Discard()
	for _, file := range files {
		traces, err := ReadTraceFile(TracePath(file))
		if err != nil {
			return err
		}
		for _, t := range traces {
			if keep != nil && !keep(file, t.Cell.Name()) {
				continue
			}
			if err := w.WriteCell(t); err != nil {
				return err
			}
		}
	}
	return w.Commit()
}
