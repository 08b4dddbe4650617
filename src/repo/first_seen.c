/* repo/first_seen.c - when Arca first saw a version or file in an external connection's metadata */
#include "repo/first_seen.h"

#include <stdlib.h>
#include <string.h>

static int cmp_item(const void *a, const void *b)
{
	const struct ar_first_seen *x = a, *y = b;
	int c = strcmp(x->version, y->version);
	return c ? c : strcmp(x->file, y->file);
}

const struct ar_first_seen *ar_first_seen_find(const struct ar_first_seen *items, size_t n, const char *version,
					       const char *file)
{
	struct ar_first_seen key = {.version = version, .file = file};
	return n ? bsearch(&key, items, n, sizeof *items, cmp_item) : NULL;
}

/* Reads the rows of package k into the items they name; *n_new counts the items left unknown (their
   seen_ms stays -1). */
static int read_rows(size_t *n_new, struct ar_dbc *db, const char *connection, const struct ar_pkg_key *k,
		     struct ar_first_seen *items, size_t n, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT version, file, first_seen_ms FROM upstream_first_seen"
				" WHERE connection = ? AND format = ? AND namespace = ? AND package = ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, connection);
	ar_stmt_bind_text(st, 2, k->format);
	ar_stmt_bind_text(st, 3, k->ns ? k->ns : "");
	ar_stmt_bind_text(st, 4, k->name);
	while ((rc = ar_stmt_step(st, err)) == 1) {
		const char *v = ar_stmt_text(st, 0), *f = ar_stmt_text(st, 1);
		struct ar_first_seen *it = (struct ar_first_seen *)ar_first_seen_find(items, n, v ? v : "", f ? f : "");
		if (it)
			it->seen_ms = ar_stmt_int(st, 2);
	}
	ar_stmt_done(st);
	*n_new = 0;
	for (size_t i = 0; i < n; i++)
		*n_new += items[i].seen_ms < 0;
	return rc;
}

/* Records the unknown items as seen at now_ms; one that another process recorded meanwhile keeps its
   row (its time is at most this call's read earlier than now_ms). */
static int record(struct ar_dbc *db, const char *connection, const struct ar_pkg_key *k,
		  const struct ar_first_seen *items, size_t n, int64_t now_ms, struct ar_err *err)
{
	int rc = ar_dbc_begin(db, true, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (items[i].seen_ms >= 0)
			continue;
		int64_t changed = ar_dbc_exec(db, err,
					      "INSERT INTO upstream_first_seen (connection, format, namespace, package,"
					      " version, file, first_seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
					      " ON CONFLICT DO NOTHING",
					      "ssssssi", connection, k->format, k->ns ? k->ns : "", k->name,
					      items[i].version, items[i].file, now_ms);
		if (changed < 0)
			rc = (int)changed;
	}
	if (rc == 0)
		return ar_dbc_commit(db, err);
	ar_dbc_rollback(db);
	return rc;
}

int ar_first_seen_note(struct ar_dbc *db, const char *connection, const struct ar_pkg_key *k,
		       struct ar_first_seen *items, size_t *n_items, int64_t now_ms, struct ar_err *err)
{
	size_t n = *n_items;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!items[i].file)
			items[i].file = "";
		items[i].seen_ms = -1;
	}
	qsort(items, n, sizeof *items, cmp_item);
	size_t kept = 1; /* a page may list one file twice: one item each */
	for (size_t i = 1; i < n; i++)
		if (cmp_item(&items[kept - 1], &items[i]) != 0)
			items[kept++] = items[i];
	*n_items = n = kept;
	size_t n_new;
	int rc = read_rows(&n_new, db, connection, k, items, n, err);
	if (rc == 0 && n_new)
		rc = record(db, connection, k, items, n, now_ms, err);
	for (size_t i = 0; i < n; i++)
		if (items[i].seen_ms < 0)
			items[i].seen_ms = now_ms;
	return rc;
}
