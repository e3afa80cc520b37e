// Command avdurls harvests the host names the Azure Virtual Desktop agent
// logs (WVD-Agent events 3701 and 3702) from .evtx exports and writes a
// wildcard-free allowlist per Azure region.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/internal/memlimit"
	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/render"
	"github.com/spf13/pflag"
)

// version is stamped at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

const usage = `avdurls turns the host names the Azure Virtual Desktop agent logs into a
wildcard-free firewall allowlist per Azure region.

Usage:
    avdurls scan [options] PATH...       allowlist from .evtx files and folders
    avdurls events [options] PATH...     the matching events, one JSON object a line
    avdurls catalog [options]            Microsoft's static list, as data
    avdurls catalog import FILE          Microsoft's page into a catalog file
    avdurls catalog diff A B             rows that differ between two versions
    avdurls diff [options] OLD.json NEW.json
                                         what to add and remove since an earlier run
    avdurls check [options] [REPORT.json...]
                                         test that this machine reaches each entry
    avdurls help [COMMAND]               this text, or a command's options
    avdurls --version

Examples:
    avdurls scan exports/
    avdurls scan host1.evtx host2.evtx --region-map hosts.csv --format csv -o allow.csv
    avdurls catalog --cloud usgov
    avdurls events host1.evtx
    avdurls events --provider '*' x.evtx

Exit status:
    0  success
    1  error: nothing was written
    2  bad command line
    3  output written, but some input was damaged or unreadable (see warnings)
    4  diff and catalog diff only: there are entries to add or remove
    5  check only: some entry failed its check
`

func main() {
	memlimit.Set(defaultMemoryLimit)
	atomicfile.HandleSignals(func() {
		fmt.Fprintln(os.Stderr, "avdurls: error: interrupted; no output written")
		os.Exit(exitError)
	})
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program writing to stdout and errw; it returns the
// exit status.
func run(args []string, stdout, errw io.Writer) int {
	return newEnv(stdout, errw).run(args)
}

// run is the whole program in an environment; it returns the exit status.
func (e *env) run(args []string) int {
	stdout, errw := e.stdout, e.stderr
	if len(args) == 0 {
		fmt.Fprint(errw, usage)
		return exitUsage
	}
	var err error
	status := exitOK
	switch args[0] {
	case "scan":
		status, err = e.cmdScan(args[1:])
	case "events":
		status, err = e.cmdEvents(args[1:])
	case "catalog":
		err = e.cmdCatalog(args[1:])
	case "diff":
		status, err = e.cmdDiff(args[1:])
	case "check":
		status, err = e.cmdCheck(args[1:])
	case "help", "-h", "--help":
		if len(args) > 1 {
			return e.run([]string{args[1], "--help"})
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	case "--version", "version":
		fmt.Fprintf(stdout, "avdurls %s\n", buildVersion())
		return exitOK
	default:
		hint := ""
		if near := termtext.Nearest(strings.ToLower(args[0]), commands); len(near) > 0 {
			hint = "did you mean " + strings.Join(near, " or ") + "? "
		}
		e.errorf("unknown command %q; %sthe commands are %s and help", args[0], hint, strings.Join(commands[:len(commands)-1], ", "))
		return exitUsage
	}
	if code, ok := exitStatusOf(err); ok {
		return code
	}
	var ue usageError
	switch {
	case errors.Is(err, pflag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		e.errorf("%s\nrun 'avdurls help %s' for the options", ue.msg, args[0])
		return exitUsage
	case err != nil:
		e.errorf("%v", err)
		return exitError
	}
	return status
}

// commands are the commands of the program, for "did you mean".
var commands = []string{"scan", "events", "catalog", "diff", "check", "help"}

// newFlags makes a subcommand's flag set; its usage text is hand-written
// and printed by parseFlags.
func newFlags(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.BoolP("help", "h", false, "")
	fs.Lookup("help").Hidden = true
	return fs
}

// parseFlags parses args; --help prints text. Flag errors are usage errors.
func parseFlags(fs *pflag.FlagSet, args []string, text string, stdout io.Writer) error {
	text = withFormats(text)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprint(stdout, text)
			return err
		}
		return usageError{err.Error() + nearFlag(fs, err)}
	}
	if h, _ := fs.GetBool("help"); h {
		fmt.Fprint(stdout, text)
		return pflag.ErrHelp
	}
	return nil
}

// helpColumn is where the descriptions of a usage text's options start.
const helpColumn = 31

// withFormats puts the formats of the registry where a usage text says
// {{formats}} ({{other formats}}: without marking the default), wrapped
// at 79 columns under the option's description.
func withFormats(text string) string {
	mark := "{{formats}}"
	i := strings.Index(text, mark)
	if i < 0 {
		mark = "{{other formats}}"
		if i = strings.Index(text, mark); i < 0 {
			return text
		}
	}
	col := i - (strings.LastIndexByte(text[:i], '\n') + 1)
	var b strings.Builder
	n := col
	for j, f := range render.Formats() {
		word := f.Name
		if j == 0 && mark == "{{formats}}" {
			word += " (default)"
		}
		if j < len(render.Formats())-1 {
			word += ","
		}
		if j > 0 && n+1+len(word) > 79 {
			b.WriteString("\n" + strings.Repeat(" ", helpColumn))
			n = helpColumn
		} else if j > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return strings.Replace(text, mark, b.String(), 1)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// nearFlag says which flag a mistyped one may be ("; did you mean
// --region?"), for pflag's "unknown flag: --regon".
func nearFlag(fs *pflag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	near := termtext.Nearest(name, names)
	if len(near) == 0 {
		return ""
	}
	return "; did you mean --" + strings.Join(near, " or --") + "?"
}
