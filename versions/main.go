// Command versions builds and runs the suite against many gRPC-Go
// releases. Each release has a module file set, versions/<release>/go.mod
// and go.sum, used with `go test -modfile`, so that one source tree builds
// against every release.
//
// Usage:
//
//	go run ./versions list              releases on the proxy, and which are tracked
//	go run ./versions add v1.65.0 ...   add module files for releases ("latest": newest patch of every minor)
//	go run ./versions refresh [v...]    rewrite module files and go.sum (default: all tracked)
//	go run ./versions resolve SPEC      print the releases a VERSIONS value selects
//	go run ./versions bench [flags]     run the reconnect matrix against releases (make bench)
//	go run ./versions compare [-a V -b V] benchstat over the results, releases as columns (make compare)
//	go run ./versions bisect [flags]    find the first release where a metric changes (make bisect)
//	go run ./versions compat [flags]    which releases build and run with which Go toolchains (make compat)
//	go run ./versions throughput [flags]  transport and replay throughput, and their ratios (make bench-throughput)
//	go run ./versions validate [flags]  the same cells on netsim and on real TCP processes, side by side (make validate)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"golang.org/x/mod/semver"
)

// dir is where the module file sets live, relative to the module root.
const dir = "versions"

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run runs the command line args and returns the exit status: 0, 1 for a
// failure (one line on stderr saying why), 2 for a usage error.
func run(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	cmd, args := args[0], args[1:]
	var err error
	switch cmd {
	case "list":
		err = list()
	case "add":
		err = add(args)
	case "refresh":
		err = refresh(args)
	case "resolve":
		err = resolve(args)
	case "bench":
		err = runBench(args)
	case "bisect":
		err = runBisect(args)
	case "compat":
		err = runCompat(args)
	case "compare":
		err = runCompare(args)
	case "throughput":
		err = runThroughputCmd(args)
	case "validate":
		err = runValidate(args)
	case "-h", "-help", "--help", "help":
		usage(stderr)
		return 0
	default:
		err = fmt.Errorf("unknown command %q (valid: list, add, refresh, resolve, bench, compare, bisect, compat, throughput, validate)", cmd)
	}
	switch {
	case errors.Is(err, errHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "versions:", err)
		return 1
	}
	return 0
}

// errHelp is a -h flag: the flags were listed.
var errHelp = errors.New("help requested")

// invalidValue matches the flag package's message for a value that does
// not parse.
var invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value ".*" for (?:flag )?-([^:]+): `)

// parseFlags parses a subcommand's flags. A bad flag or value is one line
// naming it and what is valid; -h lists the flags on standard error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(os.Stderr)
		fmt.Fprintf(os.Stderr, "usage of go run ./versions %s:\n", fs.Name())
		fs.PrintDefaults()
		return errHelp
	}
	if m := invalidValue.FindStringSubmatch(err.Error()); m != nil {
		if f := fs.Lookup(m[1]); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				return fmt.Errorf("%s: %v (-%s: want 1 or 0, true or false)", fs.Name(), err, f.Name)
			}
			return fmt.Errorf("%s: %v (-%s: %s)", fs.Name(), err, f.Name, f.Usage)
		}
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, "-"+f.Name) })
	return fmt.Errorf("%s: %v (valid flags: %s)", fs.Name(), err, strings.Join(names, " "))
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: go run ./versions <command> [arguments]

  list              gRPC-Go releases on the module proxy, and which have module files
  add V...          add module files for releases V ("latest": the newest patch of every minor)
  refresh [V...]    rewrite module files and go.sum (default: every tracked release)
  resolve SPEC      print the releases a VERSIONS value (default, all, or a list) selects
  bench [flags]     run the reconnect matrix against releases; -h lists the flags
  compare [-a V -b V]  benchstat over the results, releases as columns
  bisect [flags]    find the first release where a cell's metric changes; -h lists the flags
  compat [flags]    build and run releases with Go toolchains, print a table; -h lists the flags
  throughput [flags]  transport and replay throughput with go.mod's release, and their ratios
  validate [flags]  the same cells on netsim and on real TCP server processes, side by side; -h lists the flags
`)
}

func list() error {
	rels, err := proxyReleases()
	if err != nil {
		return err
	}
	have, err := tracked(dir)
	if err != nil {
		return err
	}
	def, err := defaultSet(dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	latest := latestPatches(rels)
	for _, v := range rels {
		var marks []string
		if contains(latest, v) {
			marks = append(marks, "latest patch")
		}
		if contains(have, v) {
			marks = append(marks, "tracked")
		}
		if contains(def, v) {
			marks = append(marks, "default")
		}
		fmt.Printf("%-9s %s\n", v, strings.Join(marks, ", "))
	}
	return nil
}

func add(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("add needs releases, such as v1.65.0, or latest")
	}
	rels, err := proxyReleases()
	if err != nil {
		return err
	}
	var want []string
	for _, a := range args {
		if a == "latest" {
			want = append(want, latestPatches(rels)...)
			continue
		}
		if err := checkRelease(a, rels); err != nil {
			return err
		}
		want = append(want, a)
	}
	return writeAll(want)
}

func refresh(args []string) error {
	want := args
	if len(want) == 0 {
		var err error
		if want, err = tracked(dir); err != nil {
			return err
		}
	}
	have, err := tracked(dir)
	if err != nil {
		return err
	}
	for _, v := range want {
		if !contains(have, v) {
			return fmt.Errorf("gRPC-Go %s has no module files to refresh (add it with `go run ./versions add %s`)", v, v)
		}
	}
	return writeAll(want)
}

func writeAll(rels []string) error {
	semver.Sort(rels)
	for i, v := range rels {
		fmt.Fprintf(os.Stderr, "[%d/%d] %s/%s/go.mod\n", i+1, len(rels), dir, v)
		if err := writeModFiles(".", filepath.Join(dir, v), v); err != nil {
			return err
		}
	}
	return nil
}

func runBench(args []string) error {
	c, err := parseRunFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	return c.runAll(ctx)
}

func runBisect(args []string) error {
	b, err := parseBisectFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	return b.bisect(ctx)
}

func resolve(args []string) error {
	rels, err := selectReleases(dir, strings.Join(args, " "))
	if err != nil {
		return err
	}
	fmt.Println(strings.Join(rels, " "))
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// signalContext ends on Ctrl-C or SIGTERM, so that what was started is
// killed and what was finished is kept. A second signal ends the process
// at once. It also ends when the parent process goes away: `go run` dies
// of a SIGTERM without passing it on, and make sends SIGTERM to it alone.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		parent := os.Getppid()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case sig := <-sigs:
				fmt.Fprintf(os.Stderr, "versions: %v: stopping what runs, keeping what is complete (again to stop at once)\n", sig)
				signal.Stop(sigs) // the next signal kills, as usual
				cancel()
				return
			case <-tick.C:
				if os.Getppid() != parent {
					fmt.Fprintln(os.Stderr, "versions: the parent process ended: stopping what runs, keeping what is complete")
					cancel()
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		cancel()
	}
}
