/* cli/metrics.h - GET /metrics: the server's counters in the Prometheus text format */
#ifndef AR_CLI_METRICS_H
#define AR_CLI_METRICS_H

#include "core/arena.h"
#include "core/ctx.h"
#include "http/http.h"

/* The exposition text (version 0.0.4) of http's and ctx's counters and this process's resources,
   in a's memory. Only aggregates and connection names: no package, user or repository names. */
const char *ar_metrics_render(struct ar_arena *a, struct ar_ctx *ctx, struct ar_http *http, size_t *len);

#endif
