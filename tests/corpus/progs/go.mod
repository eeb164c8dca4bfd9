module cancelflow.test/corpus/progs

go 1.22
