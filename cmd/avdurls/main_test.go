package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unicode/utf16"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"avdurls": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
		// the fake workspace of the fleet benchmark, in its own process
		// (fleetbench_test.go); a no-op on systems without it
		"avdurls-fakeworkspace": func() { os.Exit(serveFakeWorkspace()) },
	})
}

// TestScripts runs the CLI behaviour scripts in testdata/script: usage,
// each format, bad input, conflicting flags and exit codes.
func TestScripts(t *testing.T) {
	samples, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("SAMPLES", samples)
			return nil
		},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != "",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"checklab": checkLab, // loopback servers of the check scripts (check_lab_test.go)
			// utf16 SRC DST: SRC re-encoded as UTF-16LE with a byte order
			// mark, as PowerShell 5 redirection writes text.
			"utf16": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: utf16 SRC DST")
				}
				b, err := os.ReadFile(ts.MkAbs(args[0]))
				ts.Check(err)
				out := []byte{0xff, 0xfe}
				for _, u := range utf16.Encode([]rune(string(b))) {
					out = append(out, byte(u), byte(u>>8))
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), out, 0o644))
			},
			// truncate SRC N DST: the first N bytes of SRC, a damaged copy.
			"truncate": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: truncate SRC N DST")
				}
				b, err := os.ReadFile(ts.MkAbs(args[0]))
				ts.Check(err)
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				ts.Check(os.WriteFile(ts.MkAbs(args[2]), b[:min(n, len(b))], 0o644))
			},
		},
	})
}
