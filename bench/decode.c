/*
 * Baseline for bench/decode.bench.ts: classify x86_64 PTEs with the kernel's formulas in plain C,
 * v6.18 numbering, every config on, 4-level paging (SWP_PFN_BITS 34), migration A/D supported.
 *
 *   pte_none:    !(pte & ~_PAGE_KNL_ERRATUM_MASK)           (bits 5-6 ignored)
 *   pte_present: pte & (_PAGE_PRESENT | _PAGE_PROTNONE)     (bits 0 and 8)
 *   present PFN: bits 12..51, XOR-inverted when _PAGE_PRESENT is clear (PROT_NONE, pte_pfn())
 *   swap type:   pte >> 59
 *   swap offset: (~pte << 5) >> 14                           (inverted, 50 bits)
 *   flags:       soft-dirty bit 1, uffd-wp bit 2, exclusive bit 3
 *   pfn:         offset & SWP_PFN_MASK for HWPOISON, MIGRATION_*, DEVICE_*
 *   young/dirty: offset bits 34/35 of a migration entry
 *
 * It computes the same per-PTE checksum as the JS side (five 32-bit words, each times its own odd
 * constant, summed mod 2^32) so the benchmark can prove both did the same work.
 *
 * usage: decode-c FILE PREFIX RUNS
 *   FILE   little-endian uint64 PTE values
 *   PREFIX also report the checksum of the first PREFIX values
 *   RUNS   timed runs (after two warm-up runs)
 * prints one JSON object on stdout.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { K_NONE, K_PRESENT, K_SWAP, K_MIGRATION, K_DEVICE_MIGRATION, K_DEVICE_PRIVATE, K_DEVICE_EXCLUSIVE, K_HWPOISON, K_PTE_MARKER };

/* include/linux/swap.h, v6.18, DEVICE_PRIVATE=y MIGRATION=y MEMORY_FAILURE=y: MAX_SWAPFILES 24 */
static const uint8_t kind_of_type[32] = {
	K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP,
	K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP,
	K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP, K_SWAP,
	K_HWPOISON,                                   /* 24 SWP_HWPOISON */
	K_MIGRATION, K_MIGRATION, K_MIGRATION,        /* 25..27 SWP_MIGRATION_READ, _READ_EXCLUSIVE, _WRITE */
	K_DEVICE_PRIVATE, K_DEVICE_PRIVATE,           /* 28, 29 SWP_DEVICE_WRITE, _READ */
	K_DEVICE_EXCLUSIVE,                           /* 30 SWP_DEVICE_EXCLUSIVE */
	K_PTE_MARKER,                                 /* 31 SWP_PTE_MARKER */
};

#define SWP_PFN_BITS 34
#define SWP_PFN_MASK ((1ULL << SWP_PFN_BITS) - 1)
#define PRESENT_PFN_MASK ((1ULL << 40) - 1)


static uint32_t decode_all(const uint64_t *v, size_t n)
{
	uint32_t h = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t pte = v[i];
		uint32_t kind, type = 0, young = 0, dirty = 0, sd = 0, uffd = 0, excl = 0;
		uint64_t off = 0;
		int64_t pfn = -1;
		if ((pte & ~0x60ULL) == 0) {
			kind = K_NONE;
		} else if (pte & 0x101) {
			uint64_t p = (pte >> 12) & PRESENT_PFN_MASK;
			if (!(pte & 1))
				p ^= PRESENT_PFN_MASK;
			kind = K_PRESENT;
			pfn = (int64_t)p;
			sd = (pte >> 11) & 1;
			uffd = (pte >> 10) & 1;
		} else {
			type = (uint32_t)(pte >> 59);
			off = (~pte << 5) >> 14;
			kind = kind_of_type[type];
			sd = (pte >> 1) & 1;
			uffd = (pte >> 2) & 1;
			excl = (pte >> 3) & 1;
			if (kind >= K_MIGRATION && kind <= K_HWPOISON) {
				pfn = (int64_t)(off & SWP_PFN_MASK);
				if (kind == K_MIGRATION) {
					young = (off >> SWP_PFN_BITS) & 1;
					dirty = (off >> (SWP_PFN_BITS + 1)) & 1;
				}
			}
		}
		uint32_t w0 = kind | type << 4 | young << 9 | dirty << 10 | sd << 11 | uffd << 12 | excl << 13;
		h += w0 * 0x9e3779b1u + (uint32_t)off * 0x85ebca77u + (uint32_t)(off >> 32) * 0xc2b2ae3du +
		     (uint32_t)(uint64_t)pfn * 0x27d4eb2fu + (uint32_t)((uint64_t)pfn >> 32) * 0x165667b1u;
	}
	return h;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s FILE PREFIX RUNS\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long bytes = ftell(f);
	fseek(f, 0, SEEK_SET);
	size_t n = (size_t)bytes / 8;
	uint64_t *v = malloc(n * 8 + 8);
	if (!v || fread(v, 8, n, f) != n) {
		fprintf(stderr, "cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(f);
	size_t prefix = (size_t)strtoull(argv[2], NULL, 10);
	if (prefix > n)
		prefix = n;
	int runs = atoi(argv[3]);
	if (runs < 1)
		runs = 1;

	uint32_t sum = 0;
	for (int w = 0; w < 2; w++)
		sum = decode_all(v, n);
	printf("{\"n\":%zu,\"warmup\":2,\"ns_per_pte\":[", n);
	for (int r = 0; r < runs; r++) {
		double t0 = now_ns();
		uint32_t s = decode_all(v, n);
		double t1 = now_ns();
		if (s != sum) {
			fprintf(stderr, "checksum changed between runs\n");
			return 1;
		}
		printf("%s%.4f", r ? "," : "", (t1 - t0) / (double)n);
	}
	printf("],\"checksum\":%u,\"prefix\":%zu,\"prefix_checksum\":%u}\n", sum, prefix, decode_all(v, prefix));
	free(v);
	return 0;
}
