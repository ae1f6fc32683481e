/*
 * The process bench/capture.bench.ts captures: one anonymous mapping of N pages (default
 * 1,000,000, i.e. 3.8 GiB of address space), every STRIDE-th page written (default 16: 62,500
 * pages, 244 MiB resident), the last 16 pages guard markers where MADV_GUARD_INSTALL works,
 * everything else untouched. MADV_NOHUGEPAGE keeps it 4 KiB PTEs.
 *
 * usage: capture-target [N [STRIDE]]
 * prints "pid=<pid> addr=0x<start> pages=<N> written=<n> guard=<0|16>", then waits until stdin closes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long stride = argc > 2 ? atol(argv[2]) : 16;
	long ps = sysconf(_SC_PAGESIZE);
	if (n < 32 || stride < 1) {
		fprintf(stderr, "capture-target: N >= 32 and STRIDE >= 1\n");
		return 2;
	}
	char *p = mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "capture-target: mmap: %s\n", strerror(errno));
		return 2;
	}
	madvise(p, n * ps, MADV_NOHUGEPAGE);
	long written = 0;
	for (long i = 0; i < n - 16; i += stride, written++)
		p[i * ps] = 1;
	int guard = madvise(p + (n - 16) * ps, 16 * ps, MADV_GUARD_INSTALL) == 0 ? 16 : 0;
	printf("pid=%d addr=%p pages=%ld written=%ld guard=%d\n", (int)getpid(), (void *)p, n, written, guard);
	fflush(stdout);
	char buf[64];
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}
