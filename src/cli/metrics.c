/* cli/metrics.c - the Prometheus exposition of HTTP, upstream, render-cache and process counters */
#include "cli/metrics.h"

#include "core/buf.h"
#include "core/cache.h"
#include "upstream/upstream.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_CONNECTIONS 64

static void family(struct ar_buf *b, const char *name, const char *type, const char *help)
{
	ar_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void http_metrics(struct ar_buf *b, struct ar_http *http)
{
	struct ar_http_stats s;
	ar_http_stats(http, &s);
	family(b, "arca_http_requests_total", "counter", "HTTP requests finished, by status class (none: no answer).");
	static const char *const classes[] = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
	for (size_t i = 0; i < 6; i++)
		ar_buf_printf(b, "arca_http_requests_total{code=\"%s\"} %lu\n", classes[i], s.requests[i]);
	family(b, "arca_http_requests_aborted_total", "counter", "Requests ended early by the client or a timeout.");
	ar_buf_printf(b, "arca_http_requests_aborted_total %lu\n", s.aborted);
	family(b, "arca_http_requests_in_flight", "gauge", "Requests being answered now.");
	ar_buf_printf(b, "arca_http_requests_in_flight %u\n", s.inflight);
	family(b, "arca_http_response_bytes_total", "counter", "Response body bytes sent.");
	ar_buf_printf(b, "arca_http_response_bytes_total %llu\n", s.bytes_sent);
	family(b, "arca_http_request_duration_seconds", "histogram", "From the request line to the last byte sent.");
	for (size_t i = 0; i < AR_HTTP_LATENCY_BUCKETS; i++)
		ar_buf_printf(b, "arca_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
			      ar_http_latency_bounds_s[i], s.latency[i]);
	ar_buf_printf(b, "arca_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", s.latency_count);
	ar_buf_printf(b, "arca_http_request_duration_seconds_sum %.6f\n", s.latency_sum_s);
	ar_buf_printf(b, "arca_http_request_duration_seconds_count %lu\n", s.latency_count);
}

/* One counter family across every external connection used since start. */
#define UPSTREAM_FAMILY(field, name, help)                                                                             \
	do {                                                                                                           \
		family(b, "arca_upstream_" name, "counter", help);                                                     \
		for (size_t i = 0; i < n; i++)                                                                         \
			ar_buf_printf(b, "arca_upstream_" name "{connection=\"%s\"} %llu\n", s[i].connection,          \
				      (unsigned long long)s[i].field);                                                 \
	} while (0)

static void upstream_metrics(struct ar_buf *b, struct ar_upstream *u)
{
	struct ar_upstream_stats s[MAX_CONNECTIONS];
	size_t n = ar_upstream_stats(u, s, MAX_CONNECTIONS);
	if (n > MAX_CONNECTIONS)
		n = MAX_CONNECTIONS;
	UPSTREAM_FAMILY(requests, "calls_total", "Metadata, file and pass-through calls for the connection.");
	UPSTREAM_FAMILY(hits, "cache_hits_total", "Calls answered from the cache without asking upstream.");
	UPSTREAM_FAMILY(coalesced, "coalesced_total", "Calls that shared another call's upstream request.");
	UPSTREAM_FAMILY(upstream_requests, "requests_total", "HTTP requests sent upstream.");
	UPSTREAM_FAMILY(revalidations, "not_modified_total", "Upstream answers 304: the cached copy was still good.");
	UPSTREAM_FAMILY(not_found, "not_found_total", "Upstream answers 404 or 410.");
	UPSTREAM_FAMILY(failures, "failures_total", "Upstream requests that failed (transport, timeout, 5xx, 429).");
	UPSTREAM_FAMILY(stale_serves, "stale_serves_total", "Answers served stale because upstream failed.");
	UPSTREAM_FAMILY(rejected, "breaker_rejected_total", "Requests not sent because the breaker was open.");
	UPSTREAM_FAMILY(digest_mismatches, "digest_mismatches_total", "Files refused because their digest differed.");
	UPSTREAM_FAMILY(bytes_fetched, "bytes_total", "Body bytes received from upstream.");
	UPSTREAM_FAMILY(breaker_trips, "breaker_trips_total", "Times the circuit breaker opened.");
	family(b, "arca_upstream_breaker_open", "gauge", "1 while the connection's circuit breaker is not closed.");
	for (size_t i = 0; i < n; i++)
		ar_buf_printf(b, "arca_upstream_breaker_open{connection=\"%s\"} %d\n", s[i].connection,
			      s[i].breaker != AR_BREAKER_CLOSED);
}

static void cache_metrics(struct ar_buf *b, struct ar_cache *c)
{
	struct ar_cache_stats s;
	ar_cache_stats(c, &s);
	family(b, "arca_render_cache_entries", "gauge", "Rendered documents held in memory.");
	ar_buf_printf(b, "arca_render_cache_entries %zu\n", s.entries);
	family(b, "arca_render_cache_bytes", "gauge", "Memory held by rendered documents.");
	ar_buf_printf(b, "arca_render_cache_bytes %zu\n", s.bytes);
	family(b, "arca_render_cache_lookups_total", "counter", "Render cache lookups, by result.");
	ar_buf_printf(b, "arca_render_cache_lookups_total{result=\"hit\"} %lu\n", s.hits);
	ar_buf_printf(b, "arca_render_cache_lookups_total{result=\"miss\"} %lu\n", s.misses);
	family(b, "arca_render_cache_builds_total", "counter", "Documents rendered.");
	ar_buf_printf(b, "arca_render_cache_builds_total %lu\n", s.builds);
	family(b, "arca_render_cache_evictions_total", "counter",
	       "Documents dropped to stay within render_cache_bytes.");
	ar_buf_printf(b, "arca_render_cache_evictions_total %lu\n", s.evictions);
}

static long resident_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * sysconf(_SC_PAGESIZE);
}

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	for (const struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static void process_metrics(struct ar_buf *b)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
		     ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
	family(b, "process_cpu_seconds_total", "counter", "User and system CPU time spent.");
	ar_buf_printf(b, "process_cpu_seconds_total %.3f\n", cpu);
	family(b, "process_resident_memory_bytes", "gauge", "Resident memory.");
	ar_buf_printf(b, "process_resident_memory_bytes %ld\n", resident_bytes());
	family(b, "process_max_resident_memory_bytes", "gauge", "Peak resident memory.");
	ar_buf_printf(b, "process_max_resident_memory_bytes %ld\n", ru.ru_maxrss * 1024L);
	family(b, "process_open_fds", "gauge", "Open file descriptors.");
	ar_buf_printf(b, "process_open_fds %d\n", open_fds());
}

const char *ar_metrics_render(struct ar_arena *a, struct ar_ctx *ctx, struct ar_http *http, size_t *len)
{
	struct ar_buf b;
	ar_buf_init(&b, 1 << 20); /* a few KiB in practice; bounded all the same */
	http_metrics(&b, http);
	if (ctx->upstream)
		upstream_metrics(&b, ctx->upstream);
	if (ctx->render_cache)
		cache_metrics(&b, ctx->render_cache);
	process_metrics(&b);
	char *out = ar_memdup(a, b.ptr ? b.ptr : "", b.len + 1);
	*len = b.len;
	ar_buf_release(&b);
	return out;
}
