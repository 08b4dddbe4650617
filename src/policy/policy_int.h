/* policy/policy_int.h - the parsed form of a policy, shared by the parser and the evaluator */
#ifndef AR_POLICY_POLICY_INT_H
#define AR_POLICY_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

/* Structural caps: IAM's own limits are in bytes, but a bounded shape keeps evaluation cheap
   whatever size the caller allows. */
#define POL_MAX_STATEMENTS 100
#define POL_MAX_VALUES	   200

/* The comparison at the heart of a condition operator; negation and modifiers are separate. */
enum pol_op {
	POL_OP_STRING_EQ,
	POL_OP_STRING_EQ_NOCASE,
	POL_OP_STRING_LIKE,
	POL_OP_ARN_LIKE, /* ArnEquals and ArnLike: AWS defines both as component-wise wildcard matching */
	POL_OP_BOOL,
	POL_OP_NUM_EQ,
	POL_OP_NUM_LT,
	POL_OP_NUM_LE,
	POL_OP_NUM_GT,
	POL_OP_NUM_GE,
	POL_OP_NULL,
};

/* ForAnyValue: / ForAllValues: set qualifiers. */
enum pol_set { POL_SET_NONE, POL_SET_ANY, POL_SET_ALL };

struct pol_list {
	const char **v;
	size_t n;
};

/* One key under one operator: "StringEquals": {"aws:username": ["a", "b"]}. */
struct pol_cond {
	enum pol_op op;
	bool is_negated;  /* StringNotEquals, ArnNotLike, NumericNotEquals, ... */
	bool if_exists;	  /* ...IfExists: an absent key satisfies the condition */
	enum pol_set set; /* how a multi-valued context key is compared */
	const char *key;
	struct pol_list values; /* Bool and Null values normalised to "true"/"false" */
	double *nums;		/* numeric operators: values parsed once */
};

/* One AWS principal: a whole account (bare id or :root ARN) or one user ARN. */
struct pol_principal {
	bool is_account;
	const char *value; /* 12-digit account id, or the user ARN */
};

struct pol_stmt {
	const char *sid; /* NULL when absent */
	bool is_deny;
	bool is_not_action;
	struct pol_list actions;
	bool has_resource; /* false only in resource policies: "this resource" */
	bool is_not_resource;
	struct pol_list resources;
	bool has_principal; /* always in resource policies, never in identity ones */
	bool is_not_principal;
	bool principal_any; /* "*" or {"AWS": "*"} appeared */
	struct pol_principal *principals;
	size_t n_principals;
	struct pol_cond *conds;
	size_t n_conds;
};

struct ar_policy {
	enum ar_policy_kind kind;
	struct pol_stmt *stmts;
	size_t n_stmts;
};

/* A plain decimal number ("-12", "3.5"); no exponents, hex, inf or nan, which IAM does not accept
   either. Used for policy values and context values alike so both sides agree. */
bool ar_policy_parse_number(const char *s, double *out);

#endif
