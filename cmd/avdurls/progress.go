package main

// progress is a no-op placeholder until the progress bar is wired.
type progress struct{}

func newProgress(files []string, quiet bool) *progress { return &progress{} }
func (p *progress) add(n int64)                        {}
func (p *progress) finish()                            {}
