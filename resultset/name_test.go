package resultset

import (
	"strings"
	"testing"
	"time"
)

func TestCellNameRoundTrip(t *testing.T) {
	for _, c := range []Cell{
		{"watcher", "crash", "idle", time.Second, 2 * time.Second, "dial"},
		{"dialer", "blackhole", "stream", 30 * time.Second, 45 * time.Minute, "newclient"},
		{"identity", "rotate", "rare", 5 * time.Minute, 0, "dial"},
		{"a_b", "x-y", "1s", 1500 * time.Millisecond, 90 * time.Second, "c"},
		{"a", "b", "c", 3*time.Hour + 7*time.Nanosecond, time.Microsecond, "d"},
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
	for _, tc := range []struct {
		c                      Cell
		name, short, situation string
	}{
		{NewCell("watcher", "crash", "idle"), "Reconnect/strategy=watcher/fault=crash/traffic=idle/downtime=1s/quiet=2s/client=dial",
			"watcher crash idle", "crash/idle/downtime=1s/quiet=2s/dial"},
		{Cell{"watcher", "rotate", "rare", 5 * time.Minute, 45 * time.Minute, "newclient"},
			"Reconnect/strategy=watcher/fault=rotate/traffic=rare/downtime=5m0s/quiet=45m0s/client=newclient",
			"watcher rotate rare downtime=5m0s quiet=45m0s newclient", "rotate/rare/downtime=5m0s/quiet=45m0s/newclient"},
		{Cell{"a", "b", "c", 30 * time.Second, 2 * time.Second, "dial"},
			"Reconnect/strategy=a/fault=b/traffic=c/downtime=30s/quiet=2s/client=dial", "a b c downtime=30s", "b/c/downtime=30s/quiet=2s/dial"},
		// A quiet time of 30s reads differently from a downtime of 30s.
		{Cell{"a", "b", "c", time.Second, 30 * time.Second, "dial"},
			"Reconnect/strategy=a/fault=b/traffic=c/downtime=1s/quiet=30s/client=dial", "a b c quiet=30s", "b/c/downtime=1s/quiet=30s/dial"},
	} {
		if got := tc.c.String(); got != tc.name {
			t.Errorf("String() = %q, want %q", got, tc.name)
		}
		if got := tc.c.Short(); got != tc.short {
			t.Errorf("Short() = %q, want %q", got, tc.short)
		}
		if got := tc.c.Situation(); got != tc.situation {
			t.Errorf("Situation() = %q, want %q", got, tc.situation)
		}
	}
}

// TestParseCellOldNames reads names written before keys were renamed or
// added: the fault key was called scenario, and names before downtime,
// quiet and client were keys measured a downtime of 1s, a quiet time of
// 2s and grpc.Dial. They are written back with every key.
func TestParseCellOldNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Cell
	}{
		{"BenchmarkReconnect/strategy=dialer/scenario=crash/traffic=idle", NewCell("dialer", "crash", "idle")},
		{"Reconnect/strategy=dialer/fault=crash/traffic=idle", NewCell("dialer", "crash", "idle")},
		{"Reconnect/strategy=a/fault=b/traffic=c/quiet=45m0s", Cell{"a", "b", "c", time.Second, 45 * time.Minute, "dial"}},
		{"Reconnect/strategy=a/fault=b/traffic=c/client=newclient/downtime=30s", Cell{"a", "b", "c", 30 * time.Second, 2 * time.Second, "newclient"}},
	} {
		got, err := ParseCell(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("ParseCell(%q) = %+v, %v; want %+v", tc.name, got, err, tc.want)
			continue
		}
		again, err := ParseCell(got.String())
		if err != nil || again != got || len(strings.Split(got.String(), "/")) != 1+len(CellKeys()) {
			t.Errorf("%q is written back as %q, which parses to %+v, %v", tc.name, got.String(), again, err)
		}
	}
}

func TestParseCellErrors(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Reconnect/strategy=a/fault=b", "lacks key traffic"},
		{"Reconnect/strategy=a/fault=b/traffic=c/colour=red", `unknown key "colour" (valid: strategy, fault, traffic, downtime, quiet, client)`},
		{"Reconnect/strategy=a/fault=b/traffic=c/downtime=60s", `key downtime: "60s": write the duration as 1m0s`},
		{"Reconnect/strategy=a/fault=b/traffic=c/quiet=1m", `key quiet: "1m": write the duration as 1m0s`},
		{"Reconnect/strategy=a/fault=b/traffic=c/downtime=soon", `key downtime: "soon" is not a duration such as 1s, 30s or 5m0s`},
		{"Reconnect/strategy=a/fault=b/traffic=c/quiet=", "key quiet has no value"},
		{"Reconnect/strategy=a/fault=b/traffic=c/client=x/client=y", "key client given twice"},
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
		{NewCell("a", "b", "c"), ""},
		{NewCell("a", "b", ""), "traffic is empty"},
		{NewCell("a/b", "b", "c"), "strategy \"a/b\": a value of a benchmark name cannot hold a slash"},
		{NewCell("a", "b c", "c"), "cannot hold a slash or white space"},
		{NewCell("a", "b", "idle-2"), "cannot end in a hyphen and digits"},
		{Cell{Strategy: "a", Fault: "b", Traffic: "c", Downtime: time.Second}, "client is empty"},
		{Cell{Strategy: "a", Fault: "b", Traffic: "c", Client: "dial"}, ""}, // zero durations are names too
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
	f.Add("watcher", "crash", "idle", int64(time.Second), int64(2*time.Second), "dial", "Reconnect/strategy=watcher/fault=crash/traffic=idle/downtime=1s/quiet=2s/client=dial")
	f.Add("a", "b", "c-1", int64(5*time.Minute), int64(45*time.Minute), "newclient", "BenchmarkReconnect/strategy=dialer/scenario=flap/traffic=busy-2")
	f.Add("a/b", " ", "", int64(-1), int64(0), "", "Reconnect/traffic=x/fault=y/strategy=z/quiet=1m30s")
	f.Add("a", "b", "c", int64(1), int64(1<<62), "d-2", "Reconnect/strategy=a/fault=b/traffic=c/downtime=90s")
	f.Fuzz(func(t *testing.T, strategy, fault, traffic string, downtime, quiet int64, client, name string) {
		c := Cell{Strategy: strategy, Fault: fault, Traffic: traffic, Downtime: time.Duration(downtime), Quiet: time.Duration(quiet), Client: client}
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
