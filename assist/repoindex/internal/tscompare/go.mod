module switchyard/assist/repoindex/internal/tscompare

go 1.26.8

require (
	github.com/tetratelabs/wazero v1.11.0
	github.com/tree-sitter/go-tree-sitter v0.25.0
	switchyard v0.0.0
)

require (
	github.com/mattn/go-pointer v0.0.1 // indirect
	github.com/sabhiram/go-gitignore v0.0.0-20210923224102-525f6e181f06 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace switchyard => ../../../..
