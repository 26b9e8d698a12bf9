package resultset

import (
	"strings"
	"testing"
)

func TestCellNameRoundTrip(t *testing.T) {
	for _, c := range []Cell{
		{"watcher", "crash", "idle"},
		{"dialer", "blackhole", "stream"},
		{"a_b", "x-y", "1s"},
	} {
		name := c.String()
		got, err := ParseCell(name)
		if err != nil || got != c {
			t.Errorf("ParseCell(%q) = %+v, %v; want %+v", name, got, err, c)
		}
		for _, form := range []string{"Benchmark" + name, name + "-2", "Benchmark" + name + "-16"} {
			if got, err := ParseCell(form); err != nil || got != c {
				t.Errorf("ParseCell(%q) = %+v, %v; want %+v", form, got, err, c)
			}
		}
	}
}

func TestCellName(t *testing.T) {
	c := Cell{Strategy: "watcher", Fault: "crash", Traffic: "idle"}
	if got, want := c.String(), "Reconnect/strategy=watcher/fault=crash/traffic=idle"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := c.Short(), "watcher crash idle"; got != want {
		t.Errorf("Short() = %q, want %q", got, want)
	}
}

func TestParseCellOldKey(t *testing.T) {
	// Results files written before the fault key was named for what it
	// holds called it scenario.
	got, err := ParseCell("BenchmarkReconnect/strategy=dialer/scenario=crash/traffic=idle")
	if want := (Cell{Strategy: "dialer", Fault: "crash", Traffic: "idle"}); err != nil || got != want {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	if got.String() != "Reconnect/strategy=dialer/fault=crash/traffic=idle" {
		t.Errorf("an old name is written back as %q", got.String())
	}
}

func TestParseCellErrors(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Reconnect/strategy=a/fault=b", "lacks key traffic"},
		{"Reconnect/strategy=a/fault=b/traffic=c/colour=red", `unknown key "colour" (valid: strategy, fault, traffic)`},
		{"Reconnect/strategy=a/fault=b/scenario=b/traffic=c", "key fault given twice"},
		{"Reconnect/strategy=/fault=b/traffic=c", "key strategy has no value"},
		{"Reconnect/strategy=a/crash/traffic=c", `part "crash" is not key=value`},
		{"Replay/strategy=a/mode=stream", "is not a reconnect cell"},
		{"", "has no base"},
	} {
		_, err := ParseCell(tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCell(%q) = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestCellCheck(t *testing.T) {
	for _, tc := range []struct {
		c    Cell
		want string // "" for a valid cell
	}{
		{Cell{Strategy: "a", Fault: "b", Traffic: "c"}, ""},
		{Cell{Strategy: "a", Fault: "b", Traffic: ""}, "traffic is empty"},
		{Cell{Strategy: "a/b", Fault: "b", Traffic: "c"}, "strategy \"a/b\": a value of a benchmark name cannot hold a slash"},
		{Cell{Strategy: "a", Fault: "b c", Traffic: "c"}, "cannot hold a slash or white space"},
		{Cell{Strategy: "a", Fault: "b", Traffic: "idle-2"}, "cannot end in a hyphen and digits"},
	} {
		err := tc.c.Check()
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v.Check() = %v, want %q", tc.c, err, tc.want)
		}
	}
}

func TestParseNameGOMAXPROCS(t *testing.T) {
	// testing.B appends GOMAXPROCS to a name; a hyphen of the name itself
	// stays.
	for in, want := range map[string]string{
		"BenchmarkTransport/net=netsim/load=log-2": "Transport/net=netsim/load=log",
		"BenchmarkTransport/net=netsim/load=log":   "Transport/net=netsim/load=log",
		"BenchmarkMatrix/fault=crash-graceful-16":  "Matrix/fault=crash-graceful",
		"BenchmarkMatrix/fault=crash-graceful":     "Matrix/fault=crash-graceful",
		"BenchmarkX-":                              "X-",
	} {
		n, err := ParseName(in)
		if err != nil || n.String() != want {
			t.Errorf("ParseName(%s) = %s, %v; want %s", in, n, err, want)
		}
	}
}

func TestParseName(t *testing.T) {
	n, err := ParseName("BenchmarkTransport/net=netsim/load=raw-2")
	if err != nil {
		t.Fatal(err)
	}
	if n.Base != Transport || n.Get("net") != "netsim" || n.Get("load") != "raw" || n.Get("mode") != "" {
		t.Errorf("ParseName = %+v", n)
	}
	if got := n.String(); got != "Transport/net=netsim/load=raw" {
		t.Errorf("String() = %q", got)
	}
	if got, want := n.BenchPattern(), "^BenchmarkTransport$/^net=netsim$/^load=raw$"; got != want {
		t.Errorf("BenchPattern() = %q, want %q", got, want)
	}
}

// FuzzCellName holds format and parse to being each other's inverse:
// every cell whose values a name can carry comes back from its name, and
// every name that parses comes back from the cell it parses to.
func FuzzCellName(f *testing.F) {
	f.Add("watcher", "crash", "idle", "Reconnect/strategy=watcher/fault=crash/traffic=idle")
	f.Add("a", "b", "c-1", "BenchmarkReconnect/strategy=dialer/scenario=flap/traffic=busy-2")
	f.Add("a/b", " ", "", "Reconnect/traffic=x/fault=y/strategy=z")
	f.Fuzz(func(t *testing.T, strategy, fault, traffic, name string) {
		c := Cell{Strategy: strategy, Fault: fault, Traffic: traffic}
		if c.Check() == nil {
			got, err := ParseCell(c.String())
			if err != nil || got != c {
				t.Errorf("ParseCell(%q) = %+v, %v; want %+v", c.String(), got, err, c)
			}
		}
		parsed, err := ParseCell(name)
		if err != nil {
			return
		}
		if err := parsed.Check(); err != nil {
			t.Errorf("%q parsed to %+v, which no name can carry: %v", name, parsed, err)
		}
		again, err := ParseCell(parsed.String())
		if err != nil || again != parsed {
			t.Errorf("%q parsed to %+v, whose name %q parses to %+v, %v", name, parsed, parsed.String(), again, err)
		}
	})
}
