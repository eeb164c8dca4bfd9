module github.com/cancelflow/cancelflow/go

go 1.25
