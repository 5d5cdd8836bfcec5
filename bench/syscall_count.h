/* SPDX-License-Identifier: MIT */
/* Exact system-call counts: run a function in a ptrace'd child and count
 * the system calls it enters. */
#ifndef FDID_BENCH_SYSCALL_COUNT_H
#define FDID_BENCH_SYSCALL_COUNT_H

/*
 * Runs setup(arg) untraced, then fn(arg, rounds) traced, in a forked child;
 * returns the number of system calls fn made per round (the cost of
 * starting and stopping the count is measured with zero rounds and taken
 * off), or a negative number when tracing is not possible here.
 */
double syscalls_per_round(void (*setup)(void *arg), void (*fn)(void *arg, long rounds),
                          void *arg, long rounds);

/* One timed subject of a benchmark table: its loop runs `rounds`
 * operations; bench_run_subject() adapts it for syscalls_per_round(). */
struct bench_subject {
   const char *name;
   void (*loop)(void *arg, long rounds);
   const char *note;
};

static inline void
bench_run_subject(void *arg, long rounds)
{
   ((const struct bench_subject *)arg)->loop(NULL, rounds);
}

/* ns[i]: the best of `repeats` timings (time_once) of subjects[i]. The
 * repeats take turns over the subjects, so that a noisy moment of the
 * machine hurts them alike. */
static inline void
bench_best_of(const struct bench_subject *subjects, int n, int repeats,
              double (*time_once)(const struct bench_subject *s), double *ns)
{
   for (int i = 0; i < n; i++)
      ns[i] = 1e18;
   for (int r = 0; r < repeats; r++) {
      for (int i = 0; i < n; i++) {
         double t = time_once(&subjects[i]);
         if (t < ns[i])
            ns[i] = t;
      }
   }
}

#endif
