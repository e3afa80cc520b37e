package main

import "github.com/avdurls/avdurls/catalog"

// loadCatalog is catalog.LoadVersion that says, for a catalog file, which
// of its wildcard rows any Azure customer can put a name under
// (Version.RegistrableWarnings): the built-in catalog marks its own.
func (e *env) loadCatalog(file, id string) (*catalog.Version, error) {
	v, err := catalog.LoadVersion(file, id)
	if err == nil && file != "" {
		e.registrableWarnings(v)
	}
	return v, err
}

// registrableWarnings prints the version's registrable-row warnings.
func (e *env) registrableWarnings(v *catalog.Version) {
	for _, w := range v.RegistrableWarnings() {
		e.warnf("%s", w)
	}
}
