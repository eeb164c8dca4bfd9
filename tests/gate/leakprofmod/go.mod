module example.com/cfleak

go 1.25

require github.com/cancelflow/cancelflow/go v0.0.0

// The Go module of this repository; test_leakprofile.py rewrites the path
// when it copies this fixture.
replace github.com/cancelflow/cancelflow/go => ../../../go
