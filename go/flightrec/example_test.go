package flightrec_test

import (
	"log"
	"time"

	"github.com/cancelflow/cancelflow/go/flightrec"
)

// Keep a flight recorder running in a server; a goroutine started with
// ctxtrace.Go that outlives its canceled context by 2 s triggers a snapshot.
func ExampleStart() {
	rec, err := flightrec.Start(flightrec.Options{
		Dir:   "/tmp",
		Grace: 2 * time.Second,
		OnSnapshot: func(path string, err error) {
			if err == nil {
				log.Printf("cancellation problem: trace written to %s", path)
			}
		},
	})
	if err != nil {
		log.Print(err)
		return
	}
	defer rec.Stop()
	// ... serve ...
}
