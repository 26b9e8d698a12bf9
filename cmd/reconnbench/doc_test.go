package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDoc holds the usage in doc.go, the one description of the commands
// and the Makefile variables, to what the command does: every command it
// dispatches is listed, every flag each command defines is described under
// it and nothing else is, and every Makefile variable a description names
// is one the Makefile has. benchstat's doc_test.go checks its examples the
// same way.
func TestDoc(t *testing.T) {
	doc := usage()
	for _, name := range commandNames {
		if !regexp.MustCompile(`(?m)^\t` + name + `\b`).MatchString(doc) {
			t.Errorf("the usage does not list command %s", name)
		}
	}
	for name := range commands {
		if !slices.Contains(commandNames, name) {
			t.Errorf("command %s is missing from commandNames", name)
		}
	}

	makefile, err := os.ReadFile(moduleRoot + "/Makefile")
	if err != nil {
		t.Fatal(err)
	}
	makeVars := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([A-Z_]+)\s*\?=`).FindAllStringSubmatch(string(makefile), -1) {
		makeVars[m[1]] = true
	}

	sections := docSections(doc)
	for name := range commands {
		defined := definedFlags(t, name)
		described, ok := sections[name]
		if len(defined) == 0 && !ok {
			continue // list, add, refresh, resolve take no flags
		}
		for f := range defined {
			if _, ok := described[f]; !ok {
				t.Errorf("%s -%s is not described under %q in doc.go", name, f, name+" flags:")
			}
		}
		for f, vars := range described {
			if !defined[f] {
				t.Errorf("doc.go describes %s -%s, which the command does not define", name, f)
			}
			for _, v := range vars {
				if !makeVars[v] {
					t.Errorf("doc.go says %s -%s is set by %s, which the Makefile does not have", name, f, v)
				}
			}
		}
	}
}

// docSections reads the "<command> flags:" sections of the usage: by
// command, each flag described with the Makefile variables named beside it.
func docSections(doc string) map[string]map[string][]string {
	sections := map[string]map[string][]string{}
	var cur map[string][]string
	head := regexp.MustCompile(`^(\w+) flags:$`)
	flagLine := regexp.MustCompile(`^\t(-[\w-]+(?: \S+)?(?:, -[\w-]+(?: \S+)?)*)\s+([A-Z][A-Z_]*(?:/\w+)?(?:, [A-Z][A-Z_]*)*)?\s`)
	for _, line := range strings.Split(doc, "\n") {
		if m := head.FindStringSubmatch(line); m != nil {
			cur = map[string][]string{}
			sections[m[1]] = cur
			continue
		}
		if cur == nil {
			continue
		}
		m := flagLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var vars []string
		for _, v := range strings.Split(m[2], ", ") {
			if v != "" {
				vars = append(vars, strings.SplitN(v, "/", 2)[0])
			}
		}
		for _, f := range strings.Split(m[1], ", ") {
			cur[strings.TrimPrefix(strings.Fields(f)[0], "-")] = vars
		}
	}
	return sections
}

// definedFlags runs `reconnbench <name> -h` and returns the flags it
// lists.
func definedFlags(t *testing.T, name string) map[string]bool {
	t.Helper()
	cmd := exec.Command(commandBinary(t), name, "-h")
	cmd.Dir = moduleRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Run() // list, add and resolve take -h as an argument and fail
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  -([\w-]+)`).FindAllStringSubmatch(stderr.String(), -1) {
		flags[m[1]] = true
	}
	return flags
}

func TestUsageIsTheDoc(t *testing.T) {
	u := usage()
	for _, want := range []string{"Command reconnbench runs the reconnbench suite", "bench flags:", "\t-versions spec   VERSIONS", "compat flags:"} {
		if !strings.Contains(u, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
	if strings.Contains(u, "//") || strings.Contains(u, "package main") {
		t.Errorf("usage holds Go source:\n%s", u)
	}
}
