// Command weftbench runs the Go side of weft's peer benchmarks (bench/peers/weft holds the
// weft side; bench/compare runs both and prints ratios). Usage:
//
//	weftbench WORKLOAD [-n N] [-reps R] [-procs P] [-mode rss|wake]
//
// Workloads: spawn_join, sleepers, skynet, yield_pingpong, chan_pingpong, chan_spsc, chan_mpmc,
// select4, fib. -procs sets GOMAXPROCS; without it the GOMAXPROCS environment variable (or the
// CPU count) applies, as for any Go program.
//
// Each workload runs once untimed, then -reps timed times, and prints one line per result:
//
//	RESULT workload=skynet impl=go procs=2 value=123.4 unit=ms n=1000000 reps=5 min=120.1
//
// The protocol matches the weft programs line for line, so the numbers compare directly.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

type workload struct {
	defaultN int64
	what     string
	run      func(n int64, reps int) error
}

var workloads = map[string]workload{
	"spawn_join":     {1_000_000, "spawn and join N empty goroutines", spawnJoin},
	"sleepers":       {1_000_000, "N goroutines sleep until one deadline", sleepers},
	"skynet":         {1_000_000, "skynet with N leaves (a power of 10)", skynet},
	"yield_pingpong": {1_000_000, "two goroutines each call Gosched N times", yieldPingpong},
	"chan_pingpong":  {1_000_000, "N round trips over two unbuffered chans", chanPingpong},
	"chan_spsc":      {10_000_000, "N items, 1 producer, 1 consumer, chan cap 1024", chanSpsc},
	"chan_mpmc":      {10_000_000, "N items, 4 producers, 4 consumers, chan cap 1024", chanMpmc},
	"select4":        {4_000_000, "N items selected from 4 chans (cap 1024)", select4},
	"fib":            {30, "recursive fib(N), a goroutine per call", fib},
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: weftbench WORKLOAD [-n N] [-reps R] [-procs P] [-mode rss|wake]\nworkloads:\n")
	names := make([]string, 0, len(workloads))
	for name := range workloads {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w := workloads[name]
		fmt.Fprintf(os.Stderr, "  %-15s %s (default N %d)\n", name, w.what, w.defaultN)
	}
	flag.PrintDefaults()
	os.Exit(2)
}

func main() {
	n := flag.Int64("n", 0, "workload size (0: the workload's default)")
	reps := flag.Int("reps", 5, "timed repetitions after the warm-up")
	procs := flag.Int("procs", 0, "GOMAXPROCS (0: leave as the environment sets it)")
	flag.Usage = usage
	if len(os.Args) < 2 || strings.HasPrefix(os.Args[1], "-") {
		usage()
	}
	name := os.Args[1]
	w, ok := workloads[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "weftbench: unknown workload %q\n", name)
		usage()
	}
	flag.CommandLine.Parse(os.Args[2:])
	if *n < 0 || *reps <= 0 || *procs < 0 {
		usage()
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	if *n == 0 {
		*n = w.defaultN
	}
	if err := w.run(*n, *reps); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL workload=%s impl=go: %v\n", name, err)
		os.Exit(1)
	}
}

func result(workload string, value float64, unit string, extra string) {
	fmt.Printf("RESULT workload=%s impl=go procs=%d value=%.6g unit=%s %s\n",
		workload, runtime.GOMAXPROCS(0), value, unit, extra)
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

func minimum(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		if x < m {
			m = x
		}
	}
	return m
}

func nsPer(d time.Duration, n int64) float64 { return float64(d.Nanoseconds()) / float64(n) }
