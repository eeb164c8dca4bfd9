module example.com/sourceevidence

go 1.22
