module example.com/cftest

go 1.25
