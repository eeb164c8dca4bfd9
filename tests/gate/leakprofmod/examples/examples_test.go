package examples_test

import (
	"fmt"

	"example.com/cfleak/examples"
)

func ExampleRunCaller() {
	fmt.Println(examples.RunCaller())
	// Output: main.main
}
