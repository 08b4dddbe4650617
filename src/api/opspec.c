/* api/opspec.c - the operations table (ops.def) as data */
#include "api/opspec.h"

#include <string.h>

static const struct ar_op_info ops[] = {
#define AR_OP(Name, kebab, method, path, handler, resource, members)                                                   \
	{#Name, kebab, method, path, AR_OPRES_##resource, members},
#include "api/ops.def"
#undef AR_OP
};

const struct ar_op_info *ar_ops(size_t *n)
{
	*n = sizeof ops / sizeof ops[0];
	return ops;
}

const struct ar_op_info *ar_op_find(const char *name_or_kebab)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i].name, name_or_kebab) == 0 || strcmp(ops[i].kebab, name_or_kebab) == 0)
			return &ops[i];
	return NULL;
}

size_t ar_op_members(struct ar_arena *a, const struct ar_op_info *op, struct ar_op_member **out)
{
	/* One member per space-separated token. */
	size_t n = 0;
	for (const char *p = op->members; *p; p++)
		n += *p != ' ' && (p == op->members || p[-1] == ' ');
	struct ar_op_member *m = ar_alloc_array(a, n ? n : 1, sizeof *m);
	size_t i = 0;
	const char *p = op->members;
	while (*p && i < n) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		char *tok = ar_strndup(a, p, len);
		p += len;
		/* LOC:WIRE[=member]:TYPE[*] */
		char *first = strchr(tok, ':'), *last = strrchr(tok, ':');
		if (!first || first == last)
			continue;
		*first = '\0';
		*last = '\0';
		m[i].loc = tok[0];
		m[i].type = last[1];
		m[i].required = last[2] == '*';
		char *wire = first + 1, *eq = strchr(wire, '=');
		if (eq) {
			*eq = '\0';
			m[i].member = eq + 1;
		} else {
			m[i].member = wire;
		}
		m[i].wire = wire;
		i++;
	}
	*out = m;
	return i;
}
