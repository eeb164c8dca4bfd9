module cancelflow.test/tools/fuzzconv

go 1.22
