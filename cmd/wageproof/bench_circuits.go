package main

import (
	"context"
	"runtime/metrics"
	"slices"
	"sync"
	"time"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/fixtures"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

// circuitFigures are one circuit's figures on one backend.
type circuitFigures struct {
	Circuit       string  `json:"circuit"`
	Backend       string  `json:"backend"`
	Constraints   int     `json:"constraints"`
	CompileMS     float64 `json:"compile_ms"`
	SetupMS       float64 `json:"setup_ms"` // setup and writing the keys, compile excluded
	LoadMS        float64 `json:"load_ms"`  // reading the constraint system and proving key
	ProveP50MS    float64 `json:"prove_p50_ms"`
	ProveP90MS    float64 `json:"prove_p90_ms"`
	VerifyP50MS   float64 `json:"verify_p50_ms"`
	ProofBytes    int     `json:"proof_bytes"`
	PeakHeapBytes uint64  `json:"peak_heap_bytes"` // while proving
}

func measureCircuit(ctx context.Context, root, name, backend string, runs int) (circuitFigures, error) {
	f := circuitFigures{Circuit: name, Backend: backend}
	spec, err := circuits.Lookup(name)
	if err != nil {
		return f, err
	}
	start := time.Now()
	ccs, err := prover.Compile(spec, backend)
	if err != nil {
		return f, err
	}
	f.CompileMS, f.Constraints = msSince(start), ccs.GetNbConstraints()
	start = time.Now()
	if _, err := prover.Setup(ctx, spec, root, prover.SetupOptions{Backend: backend, Force: true}); err != nil {
		return f, err
	}
	f.SetupMS = max(0, msSince(start)-f.CompileMS)
	start = time.Now()
	p, err := prover.Load(root, name, backend)
	if err != nil {
		return f, err
	}
	f.LoadMS = msSince(start)

	world, err := fixtures.NewWorld(1, 1)
	if err != nil {
		return f, err
	}
	a, err := world.Sample(name)
	if err != nil {
		return f, err
	}
	var env *verifier.Envelope
	proveTimes := make([]float64, 0, runs)
	peak := watchHeap()
	for range runs {
		if err := ctx.Err(); err != nil {
			return f, err
		}
		start = time.Now()
		if env, err = p.Prove(a); err != nil {
			return f, err
		}
		proveTimes = append(proveTimes, msSince(start))
	}
	f.PeakHeapBytes = peak()
	f.ProveP50MS, f.ProveP90MS = quantile(proveTimes, 0.5), quantile(proveTimes, 0.9)
	f.ProofBytes = len(env.Proof)

	k, err := verifier.LoadKey(verifier.KeyDir(root, name, backend))
	if err != nil {
		return f, err
	}
	verifyTimes := make([]float64, 0, 4*runs)
	for range 4 * runs {
		start = time.Now()
		if err := k.Verify(env); err != nil {
			return f, err
		}
		verifyTimes = append(verifyTimes, msSince(start))
	}
	f.VerifyP50MS = quantile(verifyTimes, 0.5)
	return f, nil
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// quantile is the nearest-rank quantile of xs.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// watchHeap samples the live heap until the returned function is called,
// which returns the largest sample.
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var (
		mu   sync.Mutex
		peak uint64
	)
	read := func() {
		metrics.Read(sample)
		mu.Lock()
		peak = max(peak, sample[0].Value.Uint64())
		mu.Unlock()
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		read()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}
