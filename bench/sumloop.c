/*
 * bench/sumloop.c
 *	The physical limit for "SELECT sum(price)": a plain C loop summing N
 *	float8 values held in memory, as bench/ticks.sh compares it with the
 *	frame.  Prints the median of REPS runs in milliseconds.
 *
 *	cc -O2 -o sumloop bench/sumloop.c && ./sumloop N [REPS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	long		n = argc > 1 ? atol(argv[1]) : 10000000;
	int			reps = argc > 2 ? atoi(argv[2]) : 7;
	double	   *values = malloc(sizeof(double) * n);
	double	   *times = malloc(sizeof(double) * reps);
	volatile double sink = 0;

	if (n <= 0 || reps <= 0 || values == NULL || times == NULL)
		return 1;
	for (long i = 0; i < n; i++)
		values[i] = (double) (i % 100000) / 100.0;
	for (int r = 0; r < reps; r++)
	{
		struct timespec t0,
					t1;
		double		s = 0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++)
			s += values[i];
		clock_gettime(CLOCK_MONOTONIC, &t1);
		sink += s;
		times[r] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	qsort(times, reps, sizeof(double), compare_doubles);
	printf("%.3f\n", reps % 2 ? times[reps / 2] : (times[reps / 2 - 1] + times[reps / 2]) / 2);
	return sink == -1;
}
