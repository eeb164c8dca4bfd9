module cancelflow.test/html/hostile

go 1.22
