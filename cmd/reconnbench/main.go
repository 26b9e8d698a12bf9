package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// commands are the subcommands, each in a file of its own.
var commands = map[string]func(args []string) error{
	"bench":      runBench,
	"plots":      runPlots,
	"compare":    runCompare,
	"bisect":     runBisect,
	"boundaries": runBoundaries,
	"validate":   runValidate,
	"throughput": runThroughputCmd,
	"soak":       runSoak,
	"compat":     runCompat,
	"list":       runList,
	"add":        runAdd,
	"refresh":    runRefresh,
	"resolve":    runResolve,
}

// commandNames lists the subcommands in the order of the usage.
var commandNames = []string{"bench", "plots", "compare", "bisect", "boundaries", "validate", "throughput", "soak", "compat", "list", "add", "refresh", "resolve", "help"}

// run runs the command line args and returns the exit status: 0, 1 for a
// failure (one line on stderr saying why), 2 for a usage error.
func run(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	cmd, args := args[0], args[1:]
	var err error
	switch f, ok := commands[cmd]; {
	case ok:
		err = f(args)
	case cmd == "help" || cmd == "-h" || cmd == "-help" || cmd == "--help":
		fmt.Fprint(os.Stdout, usage())
		return 0
	default:
		err = fmt.Errorf("unknown command %q (valid: %s)", cmd, strings.Join(commandNames, ", "))
	}
	switch {
	case errors.Is(err, errHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "reconnbench:", err)
		return 1
	}
	return 0
}

//go:embed doc.go
var docSource string

// usage is the package comment of doc.go as text: the one description of
// the commands, their flags and the Makefile variables.
func usage() string {
	var b strings.Builder
	for _, line := range strings.Split(docSource, "\n") {
		if !strings.HasPrefix(line, "//") {
			break
		}
		line = strings.TrimPrefix(line, "//")
		line = strings.TrimPrefix(line, " ")
		b.WriteString(line + "\n")
	}
	return b.String()
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
		fmt.Fprintf(os.Stderr, "usage of reconnbench %s (reconnbench help says more):\n", fs.Name())
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

// noArgs reports stray arguments after a subcommand's flags.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%s takes flags only (-h lists them), not %q", fs.Name(), fs.Args())
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
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
				fmt.Fprintf(os.Stderr, "reconnbench: %v: stopping what runs, keeping what is complete (again to stop at once)\n", sig)
				signal.Stop(sigs) // the next signal kills, as usual
				cancel()
				return
			case <-tick.C:
				if os.Getppid() != parent {
					fmt.Fprintln(os.Stderr, "reconnbench: the parent process ended: stopping what runs, keeping what is complete")
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
