/* core/timeutil.h - wall and monotonic clocks, AWS date formats */
#ifndef AR_CORE_TIMEUTIL_H
#define AR_CORE_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds since the Unix epoch (wall clock). */
int64_t ar_now_ms(void);

/* Monotonic milliseconds, for durations and timeouts. */
int64_t ar_mono_ms(void);
/* The same clock in microseconds (request latencies). */
int64_t ar_mono_us(void);

/* Formats epoch seconds as "YYYYMMDDTHHMMSSZ" (SigV4 X-Amz-Date) into out[17]. */
void ar_amz_date(char out[17], time_t t);

/* Parses "YYYYMMDDTHHMMSSZ"; false if malformed. */
bool ar_parse_amz_date(const char *s, time_t *out);

/* Formats epoch ms as ISO-8601 UTC with milliseconds ("2024-01-02T03:04:05.000Z") into out[25]. */
void ar_iso8601_ms(char out[25], int64_t ms);

#endif
