package scan

import "runtime"

// isWindows tells tests whether a live event log may be there.
var isWindows = runtime.GOOS == "windows"
