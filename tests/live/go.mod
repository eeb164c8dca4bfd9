module cancelflow.test/live

go 1.25
