module cancelflow.dev/tools/gen-isprint

go 1.22
