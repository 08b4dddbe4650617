/* formats/dp_memo.c - per-thread memo of the precheck: tokens, rows, decisions */
#include "formats/dp_memo.h"

#include "core/crypto.h"
#include "core/mem.h"
#include "core/timeutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Small on purpose: one connection (one thread) rarely sees more than a token and a repository,
   and a miss costs only what the precheck cost before. */
#define N_CLAIMS    4
#define N_ROWS	    4
#define N_DECISIONS 64
#define N_VALUES    64

struct claims_slot {
	char *token; /* malloc'd; NULL when empty */
	size_t len;
	struct ar_token_claims claims;
};

struct rows_slot {
	struct ar_arena *a; /* owns key, d and r; NULL when empty */
	const char *key;    /* owner/domain/repo */
	uint64_t generation;
	int64_t at_ms;
	struct ar_domain d;
	struct ar_repository r;
};

struct decision_slot {
	char *key; /* malloc'd principal \n action \n resource; NULL when empty */
	uint64_t generation;
	int64_t at_ms;
	int rc;
	char msg[sizeof((struct ar_err *)0)->msg];
};

struct value_slot {
	char *key; /* malloc'd; NULL when empty */
	uint64_t generation;
	int64_t at_ms;
	size_t len;
	unsigned char value[AR_DP_MEMO_VALUE_MAX];
};

struct memo {
	struct claims_slot claims[N_CLAIMS];
	unsigned next_claims;
	struct rows_slot rows[N_ROWS];
	unsigned next_rows;
	struct decision_slot decisions[N_DECISIONS];
	struct value_slot values[N_VALUES];
};

static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

static void memo_reset(struct memo *m)
{
	for (size_t i = 0; i < N_CLAIMS; i++)
		free(m->claims[i].token);
	for (size_t i = 0; i < N_ROWS; i++)
		ar_arena_free(m->rows[i].a);
	for (size_t i = 0; i < N_DECISIONS; i++)
		free(m->decisions[i].key);
	for (size_t i = 0; i < N_VALUES; i++)
		free(m->values[i].key);
	memset(m, 0, sizeof *m);
}

static void memo_free(void *p)
{
	memo_reset(p);
	free(p);
}

static void make_key(void)
{
	pthread_key_create(&memo_key, memo_free);
}

static struct memo *memo(void)
{
	pthread_once(&memo_once, make_key);
	struct memo *m = pthread_getspecific(memo_key);
	if (!m) {
		m = ar_xcalloc(1, sizeof *m);
		pthread_setspecific(memo_key, m);
	}
	return m;
}

static bool fresh(uint64_t have, int64_t at_ms, uint64_t want)
{
	return have == want && ar_mono_ms() - at_ms < AR_DP_MEMO_TTL_MS;
}

void ar_dp_memo_clear(void)
{
	memo_reset(memo());
}

/* ---- claims ---- */

bool ar_dp_memo_claims(struct ar_token_claims *out, const char *token, int64_t now_s)
{
	struct memo *m = memo();
	size_t len = strlen(token);
	for (size_t i = 0; i < N_CLAIMS; i++) {
		struct claims_slot *s = &m->claims[i];
		/* The length is not secret; the bytes are compared without an early exit. */
		if (s->token && s->len == len && ar_ct_equal(s->token, token, len)) {
			if (s->claims.expires_s <= now_s)
				return false;
			*out = s->claims;
			return true;
		}
	}
	return false;
}

void ar_dp_memo_claims_put(const char *token, const struct ar_token_claims *claims)
{
	struct memo *m = memo();
	struct claims_slot *s = &m->claims[m->next_claims++ % N_CLAIMS];
	free(s->token);
	s->len = strlen(token);
	s->token = ar_xstrdup(token);
	s->claims = *claims;
}

/* ---- rows ---- */

static char *rows_key(struct ar_arena *a, const char *owner, const char *domain, const char *repo)
{
	return ar_printf(a, "%s/%s/%s", owner, domain, repo);
}

bool ar_dp_memo_rows(struct ar_domain *d, struct ar_repository *r, struct ar_arena *a, uint64_t generation,
		     const char *owner, const char *domain, const char *repo)
{
	struct memo *m = memo();
	size_t lo = strlen(owner), ld = strlen(domain);
	for (size_t i = 0; i < N_ROWS; i++) {
		struct rows_slot *s = &m->rows[i];
		if (!s->a || !fresh(s->generation, s->at_ms, generation))
			continue;
		const char *k = s->key;
		if (strncmp(k, owner, lo) != 0 || k[lo] != '/' || strncmp(k + lo + 1, domain, ld) != 0 ||
		    k[lo + 1 + ld] != '/' || strcmp(k + lo + ld + 2, repo) != 0)
			continue;
		ar_domain_copy(d, a, &s->d);
		ar_repo_copy(r, a, &s->r, d);
		return true;
	}
	return false;
}

void ar_dp_memo_rows_put(uint64_t generation, const struct ar_domain *d, const struct ar_repository *r)
{
	struct memo *m = memo();
	struct rows_slot *s = &m->rows[m->next_rows++ % N_ROWS];
	ar_arena_free(s->a);
	s->a = ar_arena_new();
	s->key = rows_key(s->a, d->owner, d->name, r->name);
	s->generation = generation;
	s->at_ms = ar_mono_ms();
	ar_domain_copy(&s->d, s->a, d);
	ar_repo_copy(&s->r, s->a, r, &s->d);
}

/* ---- decisions ---- */

/* FNV-1a over the parts: spreads package names over the slots. */
static uint64_t hash_parts(const char *const *parts, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ '\n') * 1099511628211ULL;
	}
	return h;
}

static size_t decision_slot(const char *principal, const char *action, const char *resource)
{
	const char *parts[] = {principal, action, resource};
	return (size_t)(hash_parts(parts, 3) % N_DECISIONS);
}

static bool decision_key_is(const char *key, const char *principal, const char *action, const char *resource)
{
	size_t lp = strlen(principal), la = strlen(action);
	return strncmp(key, principal, lp) == 0 && key[lp] == '\n' && strncmp(key + lp + 1, action, la) == 0 &&
	       key[lp + 1 + la] == '\n' && strcmp(key + lp + la + 2, resource) == 0;
}

bool ar_dp_memo_decision(int *rc, struct ar_err *err, uint64_t generation, const char *principal, const char *action,
			 const char *resource)
{
	struct decision_slot *s = &memo()->decisions[decision_slot(principal, action, resource)];
	if (!s->key || !fresh(s->generation, s->at_ms, generation) ||
	    !decision_key_is(s->key, principal, action, resource))
		return false;
	*rc = s->rc;
	if (s->rc)
		ar_fail(err, s->rc, "%s", s->msg);
	return true;
}

void ar_dp_memo_decision_put(uint64_t generation, const char *principal, const char *action, const char *resource,
			     int rc, const struct ar_err *err)
{
	struct decision_slot *s = &memo()->decisions[decision_slot(principal, action, resource)];
	size_t lp = strlen(principal), la = strlen(action), lr = strlen(resource);
	free(s->key);
	s->key = ar_xmalloc(lp + la + lr + 3);
	memcpy(s->key, principal, lp);
	s->key[lp] = '\n';
	memcpy(s->key + lp + 1, action, la);
	s->key[lp + 1 + la] = '\n';
	memcpy(s->key + lp + la + 2, resource, lr + 1);
	s->generation = generation;
	s->at_ms = ar_mono_ms();
	s->rc = rc;
	s->msg[0] = '\0';
	if (rc && err)
		memcpy(s->msg, err->msg, sizeof s->msg);
}

/* ---- values ---- */

static struct value_slot *value_slot(const char *key)
{
	return &memo()->values[hash_parts(&key, 1) % N_VALUES];
}

bool ar_dp_memo_value(void *out, size_t len, uint64_t generation, const char *key)
{
	struct value_slot *s = value_slot(key);
	if (!s->key || s->len != len || !fresh(s->generation, s->at_ms, generation) || strcmp(s->key, key) != 0)
		return false;
	memcpy(out, s->value, len);
	return true;
}

void ar_dp_memo_value_put(uint64_t generation, const char *key, const void *value, size_t len)
{
	if (len > AR_DP_MEMO_VALUE_MAX)
		return;
	struct value_slot *s = value_slot(key);
	free(s->key);
	s->key = ar_xstrdup(key);
	s->generation = generation;
	s->at_ms = ar_mono_ms();
	s->len = len;
	memcpy(s->value, value, len);
}
