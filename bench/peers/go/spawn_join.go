package main

import (
	"fmt"
	"sync"
	"time"
)

// spawnAll starts n empty goroutines and waits for them: the peer of a weft task_group
// spawning n empty tasks and waiting.
func spawnAll(n int64) {
	var wg sync.WaitGroup
	wg.Add(int(n))
	for i := int64(0); i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
}

func spawnJoin(n int64, reps int) error {
	spawnAll(n) // warm-up: grows the heap and the goroutine free lists
	perTask := make([]float64, 0, reps)
	for r := 0; r < reps; r++ {
		t0 := time.Now()
		spawnAll(n)
		perTask = append(perTask, nsPer(time.Since(t0), n))
	}
	result("spawn_join", median(perTask), "ns_per_task",
		fmt.Sprintf("n=%d reps=%d min=%f", n, reps, minimum(perTask)))
	return nil
}
