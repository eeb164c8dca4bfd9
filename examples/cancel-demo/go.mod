module cancelflow.dev/examples/cancel-demo

go 1.22
