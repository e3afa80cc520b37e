package atomicfile

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// temps is the registry of the temporary files this process has alive, so
// that an interrupt can remove them. Only createTemp, dropTemp, commit,
// RemoveTemps and the handler of HandleSignals touch it, always under its
// lock.
var temps = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

// createTemp is os.CreateTemp that registers the file in temps.
func createTemp(dir, pattern string) (*os.File, error) {
	temps.Lock()
	defer temps.Unlock()
	f, err := os.CreateTemp(dir, pattern)
	if err == nil {
		temps.names[f.Name()] = true
	}
	return f, err
}

// dropTemp removes a temporary file and forgets it.
func dropTemp(name string) error {
	temps.Lock()
	defer temps.Unlock()
	delete(temps.names, name)
	return os.Remove(name)
}

// RemoveTemps removes every temporary file this process has in flight and
// returns how many there were.
func RemoveTemps() int {
	temps.Lock()
	defer temps.Unlock()
	return removeTempsLocked()
}

// removeTempsLocked is RemoveTemps for a caller holding the lock.
func removeTempsLocked() int {
	n := len(temps.names)
	for name := range temps.names {
		os.Remove(name)
		delete(temps.names, name)
	}
	return n
}

// HandleSignals makes SIGINT and SIGTERM remove the temporary files in
// flight and then call done, which ends the program (it must not
// return). The registry stays locked from then on, so no rename can
// follow. A program calls it once.
func HandleSignals(done func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		temps.Lock()
		removeTempsLocked()
		done()
	}()
}
