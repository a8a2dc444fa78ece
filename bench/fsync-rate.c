/*
 * fsync-rate: the disk's raw rate of durable appends, the baseline bench/run
 * divides the site's writes by. Each round appends one WAL-commit-sized
 * record (a 24-byte frame header and a 4 KiB page) to a file and calls
 * fdatasync, as a WAL commit with synchronous = full does; nothing else.
 *
 *   fsync-rate [-d seconds] [-D dir]
 *
 * The file is created in dir (default $TMPDIR or /tmp; put it on the
 * site's file system: fsync costs differ between file systems), removed at
 * the end, and one line is printed:
 *
 *   rate 5123 fdatasyncs/s p50 0.180 ms p99 0.420 ms max 3.100 ms
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORD (24 + 4096)
/* The WAL restarts at its start after a checkpoint: so does this file. */
#define FILE_MAX (4096L * RECORD)
#define LAT_MAX 2000000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: fsync-rate [-d seconds] [-D dir]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dir = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	static char record[RECORD];
	double seconds = 5, start, t, *lat;
	char path[4096];
	long n = 0;
	off_t off = 0;
	int fd, opt;

	while ((opt = getopt(argc, argv, "d:D:")) != -1) {
		switch (opt) {
		case 'd': seconds = atof(optarg); break;
		case 'D': dir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || seconds <= 0)
		usage();
	if ((lat = malloc(LAT_MAX * sizeof(*lat))) == NULL) {
		perror("fsync-rate: malloc");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/fsync-rate.%ld", dir, (long)getpid());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		perror(path);
		return 1;
	}
	memset(record, 'w', sizeof(record));
	start = now_s();
	while ((t = now_s()) - start < seconds && n < LAT_MAX) {
		if (pwrite(fd, record, sizeof(record), off) != (ssize_t)sizeof(record) ||
		    fdatasync(fd) != 0) {
			perror("fsync-rate: append");
			unlink(path);
			return 1;
		}
		off = off + RECORD < FILE_MAX ? off + RECORD : 0;
		lat[n++] = now_s() - t;
	}
	t = now_s() - start;
	close(fd);
	unlink(path);
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("rate %.0f fdatasyncs/s p50 %.3f ms p99 %.3f ms max %.3f ms\n", n / t,
	    1000 * lat[n / 2], 1000 * lat[(n * 99) / 100], 1000 * lat[n - 1]);
	free(lat);
	return 0;
}
