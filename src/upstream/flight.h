/* upstream/flight.h - single-flight: concurrent callers for one key share one execution and its outcome */
#ifndef AR_UPSTREAM_FLIGHT_H
#define AR_UPSTREAM_FLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct ar_flight;

/* A new, empty group of keys. Free it only once no call is in flight (NULL ok). */
struct ar_flight *ar_flight_new(void);
void ar_flight_free(struct ar_flight *g);

/* The work for one key: fills result (result_len bytes, zeroed beforehand; plain data, no pointers
   that die with the caller) and returns 0, or a negative ar_code with err filled. */
typedef int ar_flight_fn(void *cls, void *result, struct ar_err *err);

/* Runs fn(cls) for key unless a call for key is already running; then waits for that call instead.
   Every caller gets the same return code, err and a copy of the result bytes (result_len must be the
   same for every caller of a key). *is_shared (may be NULL) tells a waiter from the caller that ran
   fn. Callers of different keys never wait for each other; a key is free again once its call ends. */
int ar_flight_do(struct ar_flight *g, const char *key, ar_flight_fn *fn, void *cls, void *result, size_t result_len,
		 bool *is_shared, struct ar_err *err);

/* Callers now waiting for another caller's call (for tests and metrics). */
size_t ar_flight_waiting(struct ar_flight *g);

#endif
