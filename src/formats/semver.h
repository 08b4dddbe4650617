/* formats/semver.h - SemVer 2.0.0 versions and the npm dependency-range subset */
#ifndef AR_FORMATS_SEMVER_H
#define AR_FORMATS_SEMVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#define AR_SEMVER_MAX_LEN	256		    /* node-semver's MAX_LENGTH */
#define AR_SEMVER_MAX_NUMBER	9007199254740991ULL /* 2^53 - 1, JavaScript's MAX_SAFE_INTEGER */
#define AR_SEMVER_RANGE_MAX_LEN 4096

/* A parsed version. pre and build borrow from the parsed text, without their '-' / '+';
   len 0 means absent. */
struct ar_semver {
	uint64_t major, minor, patch;
	struct ar_str pre;
	struct ar_str build;
};

/* Parses len bytes as SemVer 2.0.0: no leading zeros in numbers or numeric prerelease identifiers,
   numbers <= 2^53-1, at most 256 bytes. With loose, surrounding whitespace and a leading run of
   'v' / '=' are accepted first, as npm's semver.clean does. out borrows from s.
   AR_EINVAL with a reason on anything else. */
int ar_semver_parse(struct ar_semver *out, const char *s, size_t len, bool loose, struct ar_err *err);

/* SemVer precedence: <0, 0 or >0. Build metadata is ignored, so 1.0.0+a == 1.0.0+b. */
int ar_semver_cmp(const struct ar_semver *a, const struct ar_semver *b);

/* Compares two version strings (parsed loosely); false when either is invalid. */
bool ar_semver_cmp_str(int *out, const char *a, const char *b);

/* "major.minor.patch[-pre]" in arena memory, the form npm stores (build metadata dropped). */
char *ar_semver_format(struct ar_arena *a, const struct ar_semver *v);

/* npm's semver.clean: the canonical form of a loosely parsed s, or NULL when s is not a version. */
char *ar_semver_clean(struct ar_arena *a, const char *s);

/* Index of the highest version that has no prerelease, else of the highest prerelease;
   invalid strings are skipped and the first of equal versions wins. -1 when none is valid. */
ptrdiff_t ar_semver_max_stable(const char *const versions[], size_t n);

/* A parsed range: sets of comparators joined by "||", each set an intersection. Arena-owned. */
struct ar_semver_range;

/* Parses an npm range: exact, =, <, <=, >, >=, ^, ~ (and ~>), x-ranges (1.x, 1.2.*, 1),
   hyphen ranges (1.2.3 - 2.3.4), space-separated intersections and "||" unions, as node-semver
   does without includePrerelease. "", "*" and "latest" mean any release. Copies s into the arena.
   AR_EINVAL on a malformed range or one longer than AR_SEMVER_RANGE_MAX_LEN. */
int ar_semver_range_parse(struct ar_semver_range **out, struct ar_arena *a, const char *s, size_t len,
			  struct ar_err *err);

/* True when v is in the range. A prerelease matches only when some comparator of the matching set
   carries a prerelease on the same major.minor.patch (so ^1.2.3 never selects 1.3.0-beta). */
bool ar_semver_range_test(const struct ar_semver_range *r, const struct ar_semver *v);

/* Parses range and version (loosely) and tests; *out is false for an invalid version.
   AR_EINVAL when the range is malformed. */
int ar_semver_satisfies(bool *out, struct ar_arena *a, const char *version, const char *range, struct ar_err *err);

/* Index of the highest valid version in the range, -1 when none; invalid strings are skipped. */
ptrdiff_t ar_semver_max_satisfying(const struct ar_semver_range *r, const char *const versions[], size_t n);

#endif
