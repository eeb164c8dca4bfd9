module cancelflow.test/services

go 1.25
