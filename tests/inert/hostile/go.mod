module cancelflow.test/inert/hostile

go 1.25

require github.com/cancelflow/cancelflow/go v0.0.0

replace github.com/cancelflow/cancelflow/go => ../../../go
