/*
 * fma-peak: the machine's peak fused-multiply-add throughput, measured, for the whole-run benchmark
 * (bench/whole-run.sh) to report "% of peak" from a number it saw rather than one it assumed.
 *
 *   gcc -O2 -march=native -pthread -o fma-peak bench/fma-peak.c
 *   ./fma-peak [SECONDS_PER_REPETITION=1.0] [REPETITIONS=3]
 *
 * For fp32 and fp64, with 512-bit (AVX-512F) and 256-bit (AVX2+FMA) vectors where the CPU has them
 * (checked at run time with __builtin_cpu_supports), on 1 thread and on one thread per online CPU
 * (pinned), it runs ACC = 12 independent chains acc_k = acc_k * m + c: 12 chains hide the FMA latency
 * (4 cycles on Zen 4 and most Intel cores) on two FMA pipes with room to spare. One FMA is 2 FLOP per
 * lane. Each figure is the best of REPETITIONS runs of SECONDS_PER_REPETITION. For contrast it also
 * measures ONE chain (latency-bound: each FMA waits for the one before), which is what a naive
 * "GFLOP/s per core" figure often is.
 *
 * m < 1 and c > 0 make each chain converge to c/(1-m) = 1: no overflow, no denormals.
 *
 * Output, one line per measurement, then a summary, all "key=value" so a script can read it:
 *   fma isa=avx512 precision=fp32 threads=1 accumulators=12 gflops=…
 *   peak fp32_1t=… fp32_nt=… fp64_1t=… fp64_nt=… threads=N isa32=… isa64=…
 *   latency fp32_1acc_1t=… fp64_1acc_1t=…   (the single-chain figures, widest vector)
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 200000L /* loop iterations between clock reads: ~1–3 ms */

static volatile double sink; /* keeps every chain's result alive */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/*
 * One kernel: `iters` iterations of ACC dependent-chain FMAs each, returned sum of the chains.
 * `#pragma GCC unroll` makes the ACC chains ACC separate registers (checked with objdump: 12 zmm/ymm
 * registers, 12 vfmadd instructions per loop iteration).
 */
#define KERNEL(NAME, TARGET, VEC, SET1, FMA, ACC, TOSUM)                                   \
    __attribute__((target(TARGET), noinline)) static double NAME(long iters) {              \
        VEC m = SET1(0.999999), c = SET1(1e-6);                                             \
        VEC acc[ACC];                                                                       \
        _Pragma("GCC unroll 16") for (int k = 0; k < ACC; k++) acc[k] = SET1(0.5 + k * 1e-3); \
        for (long i = 0; i < iters; i++) {                                                  \
            _Pragma("GCC unroll 16") for (int k = 0; k < ACC; k++) acc[k] = FMA(acc[k], m, c); \
        }                                                                                   \
        double s = 0;                                                                       \
        _Pragma("GCC unroll 16") for (int k = 0; k < ACC; k++) s += TOSUM(acc[k]);          \
        return s;                                                                           \
    }

#define SUM512PS(v) ((double)_mm512_reduce_add_ps(v))
#define SUM512PD(v) (_mm512_reduce_add_pd(v))
#define SUM256PS(v) ((double)_mm256_cvtss_f32(v))
#define SUM256PD(v) (_mm256_cvtsd_f64(v))
#define SET512PS(x) _mm512_set1_ps((float)(x))
#define SET256PS(x) _mm256_set1_ps((float)(x))

KERNEL(k512ps12, "avx512f", __m512, SET512PS, _mm512_fmadd_ps, 12, SUM512PS)
KERNEL(k512pd12, "avx512f", __m512d, _mm512_set1_pd, _mm512_fmadd_pd, 12, SUM512PD)
KERNEL(k256ps12, "avx2,fma", __m256, SET256PS, _mm256_fmadd_ps, 12, SUM256PS)
KERNEL(k256pd12, "avx2,fma", __m256d, _mm256_set1_pd, _mm256_fmadd_pd, 12, SUM256PD)
KERNEL(k512ps1, "avx512f", __m512, SET512PS, _mm512_fmadd_ps, 1, SUM512PS)
KERNEL(k512pd1, "avx512f", __m512d, _mm512_set1_pd, _mm512_fmadd_pd, 1, SUM512PD)
KERNEL(k256ps1, "avx2,fma", __m256, SET256PS, _mm256_fmadd_ps, 1, SUM256PS)
KERNEL(k256pd1, "avx2,fma", __m256d, _mm256_set1_pd, _mm256_fmadd_pd, 1, SUM256PD)

typedef double (*kernel_fn)(long);

struct variant {
    const char *isa, *precision;
    int lanes, accumulators;
    kernel_fn fn;
};

static const struct variant VARIANTS[] = {
    {"avx512", "fp32", 16, 12, k512ps12}, {"avx512", "fp64", 8, 12, k512pd12},
    {"avx2", "fp32", 8, 12, k256ps12},    {"avx2", "fp64", 4, 12, k256pd12},
    {"avx512", "fp32", 16, 1, k512ps1},   {"avx512", "fp64", 8, 1, k512pd1},
    {"avx2", "fp32", 8, 1, k256ps1},      {"avx2", "fp64", 4, 1, k256pd1},
};

struct job {
    const struct variant *v;
    int cpu;
    double seconds;
    pthread_barrier_t *barrier;
    long iterations; /* out */
    double ended;    /* out */
};

static void *run_job(void *arg) {
    struct job *j = arg;
    if (j->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(j->cpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* best effort */
    }
    j->v->fn(CHUNK); /* warm up: clocks ramp, AVX-512 units power up */
    pthread_barrier_wait(j->barrier);
    double start = now(), s = 0;
    long iters = 0;
    do {
        s += j->v->fn(CHUNK);
        iters += CHUNK;
    } while (now() - start < j->seconds);
    j->ended = now();
    j->iterations = iters;
    sink += s;
    return NULL;
}

/* GFLOP/s of `threads` threads running variant v together for `seconds` (wall time to the last one's end). */
static double measure(const struct variant *v, int threads, double seconds) {
    pthread_t tid[256];
    struct job jobs[256];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, (unsigned)threads + 1);
    for (int t = 0; t < threads; t++) {
        jobs[t] = (struct job){v, threads > 1 ? t : -1, seconds, &barrier, 0, 0};
        pthread_create(&tid[t], NULL, run_job, &jobs[t]);
    }
    pthread_barrier_wait(&barrier);
    double start = now(), end = start, flop = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        if (jobs[t].ended > end) end = jobs[t].ended;
        flop += (double)jobs[t].iterations * v->accumulators * v->lanes * 2.0;
    }
    pthread_barrier_destroy(&barrier);
    return flop / (end - start) / 1e9;
}

static int supported(const char *isa) {
    __builtin_cpu_init();
    if (strcmp(isa, "avx512") == 0) return __builtin_cpu_supports("avx512f");
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1) cpus = 1;
    if (cpus > 256) cpus = 256;
    if (seconds <= 0 || reps < 1) {
        fprintf(stderr, "usage: %s [SECONDS_PER_REPETITION>0] [REPETITIONS>=1]\n", argv[0]);
        return 2;
    }
    /* peak[precision][threads: 0 = 1, 1 = N] and the ISA that gave it; lat[precision] single chain */
    double peak[2][2] = {{0}}, lat[2] = {0};
    const char *peak_isa[2] = {"none", "none"};
    int counts[2] = {1, cpus};
    for (size_t i = 0; i < sizeof VARIANTS / sizeof VARIANTS[0]; i++) {
        const struct variant *v = &VARIANTS[i];
        if (!supported(v->isa)) {
            printf("fma isa=%s precision=%s supported=no\n", v->isa, v->precision);
            continue;
        }
        int p = strcmp(v->precision, "fp64") == 0;
        for (int n = 0; n < 2; n++) {
            if (n == 1 && (cpus == 1 || v->accumulators == 1)) continue;
            double best = 0;
            for (int r = 0; r < reps; r++) {
                double g = measure(v, counts[n], seconds);
                if (g > best) best = g;
            }
            printf("fma isa=%s precision=%s threads=%d accumulators=%d gflops=%.2f\n", v->isa, v->precision,
                   counts[n], v->accumulators, best);
            fflush(stdout);
            if (v->accumulators == 1) {
                if (best > lat[p]) lat[p] = best;
            } else if (best > peak[p][n]) {
                peak[p][n] = best;
                if (n == 0) peak_isa[p] = v->isa;
            }
        }
    }
    if (cpus == 1) { peak[0][1] = peak[0][0]; peak[1][1] = peak[1][0]; }
    printf("peak fp32_1t=%.2f fp32_nt=%.2f fp64_1t=%.2f fp64_nt=%.2f threads=%d isa32=%s isa64=%s\n", peak[0][0],
           peak[0][1], peak[1][0], peak[1][1], cpus, peak_isa[0], peak_isa[1]);
    printf("latency fp32_1acc_1t=%.2f fp64_1acc_1t=%.2f\n", lat[0], lat[1]);
    return 0;
}
