module rentezy.invalid/bench/loadgen

go 1.21
