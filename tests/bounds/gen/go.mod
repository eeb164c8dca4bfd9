module cancelflow.test/bounds/gen

go 1.22
