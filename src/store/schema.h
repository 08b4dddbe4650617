/* store/schema.h - the list of numbered schema migrations the database is brought up to */
#ifndef AR_STORE_SCHEMA_H
#define AR_STORE_SCHEMA_H

#include <stddef.h>

struct ar_migration {
	int version; /* 1, 2, 3, ... strictly increasing */
	const char *what;
	const char *sql; /* one or more statements separated by ';' */
};

/* All migrations in order. */
const struct ar_migration *ar_schema_migrations(size_t *n);

#endif
