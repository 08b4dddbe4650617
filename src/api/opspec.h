/* api/opspec.h - the operations table (ops.def) as data both the server and the CLI read */
#ifndef AR_API_OPSPEC_H
#define AR_API_OPSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* Which ARN an operation's IAM action is checked against. */
enum ar_op_resource {
	AR_OPRES_NONE, /* "*" (ListDomains, ListRepositories) */
	AR_OPRES_DOMAIN,
	AR_OPRES_REPO,
	AR_OPRES_PACKAGE,
	AR_OPRES_GROUP,
	AR_OPRES_ARN,  /* the resourceArn query parameter (tags) */
	AR_OPRES_COPY, /* destination repository, plus ReadFromRepository on the source */
};

struct ar_op_info {
	const char *name;  /* "CreateDomain"; the IAM action is "codeartifact:" + name */
	const char *kebab; /* "create-domain" */
	const char *method;
	const char *path;
	enum ar_op_resource resource;
	const char *members; /* the spec string from ops.def */
};

/* One input member of an operation. */
struct ar_op_member {
	char loc;	    /* 'q' query, 'b' JSON body, 'h' header, 'r' raw body */
	const char *wire;   /* name on the wire (query key, JSON key, header name) */
	const char *member; /* model member name (camelCase) */
	char type;	    /* 's' string, 'i' integer, 't' boolean, 'l' list, 'm' map, 'o' object, 'd' data */
	bool required;
};

/* The whole table, in ops.def order. */
const struct ar_op_info *ar_ops(size_t *n);

/* Looks an operation up by name or kebab name; NULL when unknown. */
const struct ar_op_info *ar_op_find(const char *name_or_kebab);

/* Parses an operation's member spec into arena memory; returns the count (>= 0). */
size_t ar_op_members(struct ar_arena *a, const struct ar_op_info *op, struct ar_op_member **out);

#endif
