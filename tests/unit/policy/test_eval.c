/* tests/unit/policy/test_eval.c - policy evaluation and the cross-policy decision, as a table of cases */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "policy/policy.h"

/* Documents are written with single quotes for readability; the harness turns them into double
   quotes before parsing (no case needs a literal single quote). */

#define ACCT1	"111111111111"
#define ACCT2	"222222222222"
#define U_ALICE "arn:aws:iam::111111111111:user/alice" /* owner's account */
#define U_CAROL "arn:aws:iam::111111111111:user/carol" /* owner's account */
#define U_BOB	"arn:aws:iam::222222222222:user/bob"   /* another account */
#define U_DAN	"arn:aws:iam::222222222222:user/dan"   /* another account */
#define DOMAIN1 "arn:aws:codeartifact:us-east-1:111111111111:domain/d"
#define REPO1	"arn:aws:codeartifact:us-east-1:111111111111:repository/d/r"
#define SECRET1 "arn:aws:codeartifact:us-east-1:111111111111:repository/d/secret"

#define GET_DOMAIN  "codeartifact:GetDomainPermissionsPolicy"
#define READ_REPO   "codeartifact:ReadFromRepository"
#define DEL_DOMAIN  "codeartifact:DeleteDomain"
#define LIST_DOMAIN "codeartifact:ListDomains"

#define REQ(arn, acct, act, res)                                                                                       \
	.principal_arn = (arn), .principal_account = (acct), .action = (act), .resource_arn = (res)
#define ALICE(act, res) REQ(U_ALICE, ACCT1, act, res), .resource_account = ACCT1
#define CAROL(act, res) REQ(U_CAROL, ACCT1, act, res), .resource_account = ACCT1
#define BOB(act, res)	REQ(U_BOB, ACCT2, act, res), .resource_account = ACCT1
#define ANON(act, res)	REQ(NULL, NULL, act, res), .resource_account = ACCT1
#define CTX(...)                                                                                                       \
	.context = (const struct ar_cond_value[]){__VA_ARGS__},                                                        \
	.n_context = sizeof((const struct ar_cond_value[]){__VA_ARGS__}) / sizeof(struct ar_cond_value)

/* Policy shapes used over and over. */
#define ID_ALLOW(act, res)	 "{'Statement':{'Effect':'Allow','Action':" act ",'Resource':" res "}}"
#define ID_ALLOW_NOT_ACTION(act) "{'Statement':{'Effect':'Allow','NotAction':" act ",'Resource':'*'}}"
#define ID_DENY(act, res)	 "{'Statement':{'Effect':'Deny','Action':" act ",'Resource':" res "}}"
#define ID_ALL			 ID_ALLOW("'*'", "'*'")
#define RES_ALLOW(pr, act)	 "{'Statement':{'Effect':'Allow','Principal':" pr ",'Action':" act ",'Resource':'*'}}"
#define RES_DENY(pr, act)	 "{'Statement':{'Effect':'Deny','Principal':" pr ",'Action':" act ",'Resource':'*'}}"
#define ID_COND(cond)		 "{'Statement':{'Effect':'Allow','Action':'*','Resource':'*','Condition':" cond "}}"
#define USERNAME(v)                                                                                                    \
	{                                                                                                              \
		"aws:username", v                                                                                      \
	}

struct eval_case {
	const char *name;
	const char *identity[3]; /* NULL-terminated */
	const char *resource[3];
	struct ar_authz_request req;
	bool want;
};

static const struct eval_case cases[] = {
	/* No policy, no access. */
	{"nothing allows", {NULL}, {NULL}, {ALICE(GET_DOMAIN, DOMAIN1)}, false},
	{"exact action and resource",
	 {ID_ALLOW("'" GET_DOMAIN "'", "'" DOMAIN1 "'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"other action", {ID_ALLOW("'" GET_DOMAIN "'", "'" DOMAIN1 "'")}, {NULL}, {ALICE(DEL_DOMAIN, DOMAIN1)}, false},

	/* Action wildcards, case-insensitive. */
	{"action *", {ID_ALL}, {NULL}, {ALICE(DEL_DOMAIN, DOMAIN1)}, true},
	{"action prefix *", {ID_ALLOW("'codeartifact:Get*'", "'*'")}, {NULL}, {ALICE(GET_DOMAIN, DOMAIN1)}, true},
	{"action prefix * misses", {ID_ALLOW("'codeartifact:Get*'", "'*'")}, {NULL}, {ALICE(LIST_DOMAIN, "*")}, false},
	{"action service *", {ID_ALLOW("'codeartifact:*'", "'*'")}, {NULL}, {ALICE(LIST_DOMAIN, "*")}, true},
	{"action other service *", {ID_ALLOW("'s3:*'", "'*'")}, {NULL}, {ALICE(LIST_DOMAIN, "*")}, false},
	{"action case-insensitive",
	 {ID_ALLOW("'CODEARTIFACT:getdomainpermissionspolicy'", "'*'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"action ? one char",
	 {ID_ALLOW("'codeartifact:?etDomainPermissionsPolicy'", "'*'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"action ? not a run", {ID_ALLOW("'codeartifact:Get?'", "'*'")}, {NULL}, {ALICE(GET_DOMAIN, DOMAIN1)}, false},
	{"action list ORed",
	 {ID_ALLOW("['codeartifact:DeleteDomain','codeartifact:Get*']", "'*'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"NotAction allows others",
	 {ID_ALLOW_NOT_ACTION("'codeartifact:Delete*'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"NotAction excludes listed",
	 {ID_ALLOW_NOT_ACTION("['codeartifact:Delete*']")},
	 {NULL},
	 {ALICE(DEL_DOMAIN, DOMAIN1)},
	 false},

	/* Resource wildcards, case-sensitive, component-wise. */
	{"resource region and name *",
	 {ID_ALLOW("'*'", "'arn:aws:codeartifact:*:111111111111:domain/*'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"resource case-sensitive",
	 {ID_ALLOW("'*'", "'arn:aws:codeartifact:us-east-1:111111111111:domain/D'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},
	{"resource ? in region",
	 {ID_ALLOW("'*'", "'arn:aws:codeartifact:us-east-?:111111111111:domain/d'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"resource * stays inside its component",
	 {ID_ALLOW("'*'", "'arn:aws:codeartifact:*:domain/d'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},
	{"resource other account",
	 {ID_ALLOW("'*'", "'arn:aws:codeartifact:*:222222222222:*'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},
	{"resource repositories of d",
	 {ID_ALLOW("'*'", "'arn:aws:codeartifact:*:*:repository/d/*'")},
	 {NULL},
	 {ALICE(READ_REPO, REPO1)},
	 true},
	{"resource repositories pattern misses domain",
	 {ID_ALLOW("'*'", "'arn:aws:codeartifact:*:*:repository/d/*'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},
	{"resource arn:* means any ARN", {ID_ALLOW("'*'", "'arn:*'")}, {NULL}, {ALICE(GET_DOMAIN, DOMAIN1)}, true},
	{"NotResource allows others",
	 {"{'Statement':{'Effect':'Allow','Action':'*','NotResource':'" SECRET1 "'}}"},
	 {NULL},
	 {ALICE(READ_REPO, REPO1)},
	 true},
	{"NotResource excludes listed",
	 {"{'Statement':{'Effect':'Allow','Action':'*','NotResource':['" SECRET1 "']}}"},
	 {NULL},
	 {ALICE(READ_REPO, SECRET1)},
	 false},
	{"resource * request needs Resource *", {ID_ALLOW("'*'", "'*'")}, {NULL}, {ALICE(LIST_DOMAIN, "*")}, true},
	{"resource * request not named by an ARN pattern",
	 {ID_ALLOW("'*'", "'arn:aws:codeartifact:*'")},
	 {NULL},
	 {ALICE(LIST_DOMAIN, "*")},
	 false},
	{"resource * request under NotResource",
	 {"{'Statement':{'Effect':'Allow','Action':'*','NotResource':'" DOMAIN1 "'}}"},
	 {NULL},
	 {ALICE(LIST_DOMAIN, "*")},
	 true},

	/* Explicit Deny wins, wherever it is. */
	{"deny in same policy",
	 {"{'Statement':[{'Effect':'Allow','Action':'*','Resource':'*'},"
	  "{'Effect':'Deny','Action':'codeartifact:Delete*','Resource':'*'}]}"},
	 {NULL},
	 {ALICE(DEL_DOMAIN, DOMAIN1)},
	 false},
	{"deny elsewhere does not touch other actions",
	 {ID_ALL, ID_DENY("'codeartifact:Delete*'", "'*'")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"deny in another identity policy",
	 {ID_ALL, ID_DENY("'codeartifact:Delete*'", "'*'")},
	 {NULL},
	 {ALICE(DEL_DOMAIN, DOMAIN1)},
	 false},
	{"resource deny beats identity allow",
	 {ID_ALL},
	 {RES_DENY("'*'", "'codeartifact:DeleteDomain'")},
	 {ALICE(DEL_DOMAIN, DOMAIN1)},
	 false},
	{"identity deny beats resource allow",
	 {ID_DENY("'*'", "'*'")},
	 {RES_ALLOW("'*'", "'*'")},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},
	{"deny in second resource policy",
	 {NULL},
	 {RES_ALLOW("'*'", "'*'"), RES_DENY("{'AWS':'" U_ALICE "'}", "'*'")},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},

	/* Principals in resource policies; same account needs one side only. */
	{"same account: resource policy alone (root ARN)",
	 {NULL},
	 {RES_ALLOW("{'AWS':'arn:aws:iam::111111111111:root'}", "'*'")},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"same account: resource policy alone (bare account)",
	 {NULL},
	 {RES_ALLOW("{'AWS':'111111111111'}", "'*'")},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"user principal matches that user",
	 {NULL},
	 {RES_ALLOW("{'AWS':['" U_ALICE "']}", "'*'")},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"user principal does not match another user",
	 {NULL},
	 {RES_ALLOW("{'AWS':'" U_ALICE "'}", "'*'")},
	 {CAROL(GET_DOMAIN, DOMAIN1)},
	 false},
	{"account principal of another account",
	 {NULL},
	 {RES_ALLOW("{'AWS':'222222222222'}", "'*'")},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},
	{"resource policy without Resource covers its resource",
	 {NULL},
	 {"{'Statement':{'Effect':'Allow','Principal':'*','Action':'codeartifact:Get*'}}"},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"resource policy action mismatch",
	 {NULL},
	 {RES_ALLOW("'*'", "'codeartifact:Get*'")},
	 {ALICE(DEL_DOMAIN, DOMAIN1)},
	 false},

	/* Cross-account needs both sides. */
	{"cross-account: resource policy only",
	 {NULL},
	 {RES_ALLOW("{'AWS':'222222222222'}", "'*'")},
	 {BOB(GET_DOMAIN, DOMAIN1)},
	 false},
	{"cross-account: identity policy only", {ID_ALL}, {NULL}, {BOB(GET_DOMAIN, DOMAIN1)}, false},
	{"cross-account: both",
	 {ID_ALL},
	 {RES_ALLOW("{'AWS':'arn:aws:iam::222222222222:root'}", "'*'")},
	 {BOB(GET_DOMAIN, DOMAIN1)},
	 true},
	{"cross-account: both, user principal",
	 {ID_ALL},
	 {RES_ALLOW("{'AWS':'" U_BOB "'}", "'*'")},
	 {BOB(GET_DOMAIN, DOMAIN1)},
	 true},
	{"cross-account: resource names another user",
	 {ID_ALL},
	 {RES_ALLOW("{'AWS':'" U_DAN "'}", "'*'")},
	 {BOB(GET_DOMAIN, DOMAIN1)},
	 false},
	{"cross-account: Principal *", {ID_ALL}, {RES_ALLOW("'*'", "'*'")}, {BOB(GET_DOMAIN, DOMAIN1)}, true},
	{"cross-account: {AWS:*}", {ID_ALL}, {RES_ALLOW("{'AWS':'*'}", "'*'")}, {BOB(GET_DOMAIN, DOMAIN1)}, true},
	{"cross-account: owner read from resource ARN",
	 {ID_ALL},
	 {NULL},
	 {REQ(U_BOB, ACCT2, GET_DOMAIN, DOMAIN1)},
	 false},
	{"same account: owner read from resource ARN",
	 {ID_ALL},
	 {NULL},
	 {REQ(U_ALICE, ACCT1, GET_DOMAIN, DOMAIN1)},
	 true},
	{"caller account read from its ARN",
	 {NULL},
	 {RES_ALLOW("{'AWS':'111111111111'}", "'*'")},
	 {REQ(U_ALICE, NULL, GET_DOMAIN, DOMAIN1), .resource_account = ACCT1},
	 true},

	/* Anonymous callers. */
	{"anonymous: Principal *", {NULL}, {RES_ALLOW("'*'", "'" READ_REPO "'")}, {ANON(READ_REPO, REPO1)}, true},
	{"anonymous: account principal",
	 {NULL},
	 {RES_ALLOW("{'AWS':'111111111111'}", "'*'")},
	 {ANON(READ_REPO, REPO1)},
	 false},
	{"anonymous: identity policy ignored", {ID_ALL}, {NULL}, {ANON(READ_REPO, REPO1)}, false},
	{"anonymous: deny beats Principal *",
	 {NULL},
	 {"{'Statement':[{'Effect':'Allow','Principal':'*','Action':'*'},"
	  "{'Effect':'Deny','Principal':'*','Action':'codeartifact:Read*'}]}"},
	 {ANON(READ_REPO, REPO1)},
	 false},
	{"anonymous: NotPrincipal Allow grants nothing",
	 {NULL},
	 {"{'Statement':{'Effect':'Allow','NotPrincipal':{'AWS':'" U_BOB "'},'Action':'*'}}"},
	 {ANON(READ_REPO, REPO1)},
	 false},

	/* NotPrincipal. */
	{"NotPrincipal deny spares the listed user",
	 {NULL},
	 {"{'Statement':[{'Effect':'Allow','Principal':'*','Action':'*'},"
	  "{'Effect':'Deny','NotPrincipal':{'AWS':'" U_ALICE "'},'Action':'*'}]}"},
	 {ALICE(READ_REPO, REPO1)},
	 true},
	{"NotPrincipal deny hits everyone else",
	 {NULL},
	 {"{'Statement':[{'Effect':'Allow','Principal':'*','Action':'*'},"
	  "{'Effect':'Deny','NotPrincipal':{'AWS':'" U_ALICE "'},'Action':'*'}]}"},
	 {CAROL(READ_REPO, REPO1)},
	 false},
	{"NotPrincipal Allow covers those not listed",
	 {NULL},
	 {"{'Statement':{'Effect':'Allow','NotPrincipal':{'AWS':'222222222222'},'Action':'*'}}"},
	 {ALICE(READ_REPO, REPO1)},
	 true},
	{"NotPrincipal account covers its users",
	 {ID_ALL},
	 {"{'Statement':{'Effect':'Allow','NotPrincipal':{'AWS':'222222222222'},'Action':'*'}}"},
	 {BOB(READ_REPO, REPO1)},
	 false},

	/* Conditions: string operators, key case, ORed values, ANDed keys and operators. */
	{"StringEquals hit",
	 {ID_COND("{'StringEquals':{'aws:username':'alice'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 true},
	{"StringEquals miss",
	 {ID_COND("{'StringEquals':{'aws:username':'alice'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("bob"))},
	 false},
	{"StringEquals key case-insensitive",
	 {ID_COND("{'StringEquals':{'AWS:UserName':'alice'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 true},
	{"StringEquals values ORed",
	 {ID_COND("{'StringEquals':{'aws:username':['bob','alice']}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 true},
	{"StringEquals keys ANDed",
	 {ID_COND("{'StringEquals':{'aws:username':'alice','aws:PrincipalAccount':'999'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"), {"aws:PrincipalAccount", ACCT1})},
	 false},
	{"operators ANDed",
	 {ID_COND("{'StringEquals':{'aws:username':'alice'},'Bool':{'aws:SecureTransport':'true'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"), {"aws:SecureTransport", "false"})},
	 false},
	{"StringEquals value case matters",
	 {ID_COND("{'StringEquals':{'aws:username':'ALICE'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 false},
	{"StringEquals missing key",
	 {ID_COND("{'StringEquals':{'aws:username':'alice'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},
	{"StringEqualsIfExists missing key",
	 {ID_COND("{'StringEqualsIfExists':{'aws:username':'alice'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"StringEqualsIfExists present mismatch",
	 {ID_COND("{'StringEqualsIfExists':{'aws:username':'alice'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("bob"))},
	 false},
	{"StringNotEquals present equal",
	 {ID_COND("{'StringNotEquals':{'aws:username':['bob','alice']}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 false},
	{"StringNotEquals present different",
	 {ID_COND("{'StringNotEquals':{'aws:username':['bob','carol']}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 true},
	{"StringNotEquals missing key",
	 {ID_COND("{'StringNotEquals':{'aws:username':'alice'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"StringEqualsIgnoreCase",
	 {ID_COND("{'StringEqualsIgnoreCase':{'aws:username':'ALICE'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 true},
	{"StringNotEqualsIgnoreCase",
	 {ID_COND("{'StringNotEqualsIgnoreCase':{'aws:username':'ALICE'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 false},
	{"StringNotEqualsIgnoreCase missing key",
	 {ID_COND("{'StringNotEqualsIgnoreCase':{'aws:username':'ALICE'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"StringLike *",
	 {ID_COND("{'StringLike':{'aws:username':'ali*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 true},
	{"StringLike ?",
	 {ID_COND("{'StringLike':{'aws:username':'a?ice'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 true},
	{"StringLike case-sensitive",
	 {ID_COND("{'StringLike':{'aws:username':'Ali*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 false},
	{"StringNotLike present match",
	 {ID_COND("{'StringNotLike':{'aws:username':'ali*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 false},
	{"StringNotLike missing key",
	 {ID_COND("{'StringNotLike':{'aws:username':'ali*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"StringNotLikeIfExists present match",
	 {ID_COND("{'StringNotLikeIfExists':{'aws:username':'ali*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 false},

	/* ARN operators. */
	{"ArnLike",
	 {ID_COND("{'ArnLike':{'aws:SourceArn':'arn:aws:codeartifact:*:111111111111:repository/d/*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SourceArn", REPO1})},
	 true},
	{"ArnLike other account",
	 {ID_COND("{'ArnLike':{'aws:SourceArn':'arn:aws:codeartifact:*:222222222222:*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SourceArn", REPO1})},
	 false},
	{"ArnLike non-ARN value",
	 {ID_COND("{'ArnLike':{'aws:SourceArn':'arn:aws:*:*:*:*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SourceArn", "not-an-arn"})},
	 false},
	{"ArnNotLike present match",
	 {ID_COND("{'ArnNotLike':{'aws:SourceArn':'arn:aws:codeartifact:*:*:repository/*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SourceArn", REPO1})},
	 false},
	{"ArnNotLike missing key",
	 {ID_COND("{'ArnNotLike':{'aws:SourceArn':'arn:aws:codeartifact:*:*:repository/*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"ArnEquals",
	 {ID_COND("{'ArnEquals':{'aws:SourceArn':'" REPO1 "'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SourceArn", REPO1})},
	 true},
	{"ArnNotEquals different",
	 {ID_COND("{'ArnNotEquals':{'aws:SourceArn':'" SECRET1 "'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SourceArn", REPO1})},
	 true},
	{"ArnEqualsIfExists missing key",
	 {ID_COND("{'ArnEqualsIfExists':{'aws:SourceArn':'" SECRET1 "'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},

	/* Bool. */
	{"Bool true",
	 {ID_COND("{'Bool':{'aws:SecureTransport':true}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SecureTransport", "true"})},
	 true},
	{"Bool string value, context case",
	 {ID_COND("{'Bool':{'aws:SecureTransport':'True'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SecureTransport", "TRUE"})},
	 true},
	{"Bool false",
	 {ID_COND("{'Bool':{'aws:SecureTransport':'true'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SecureTransport", "false"})},
	 false},
	{"Bool missing key",
	 {ID_COND("{'Bool':{'aws:SecureTransport':'true'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},
	{"BoolIfExists missing key",
	 {ID_COND("{'BoolIfExists':{'aws:SecureTransport':'true'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"deny unless secure transport",
	 {ID_ALL},
	 {"{'Statement':{'Effect':'Deny','Principal':'*','Action':'*','Condition':{'Bool':{'aws:SecureTransport':false}"
	  "}}}"},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SecureTransport", "false"})},
	 false},
	{"deny condition not met",
	 {ID_ALL},
	 {"{'Statement':{'Effect':'Deny','Principal':'*','Action':'*','Condition':{'Bool':{'aws:SecureTransport':false}"
	  "}}}"},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:SecureTransport", "true"})},
	 true},

	/* Numeric. */
	{"NumericEquals",
	 {ID_COND("{'NumericEquals':{'n':'10'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"n", "10.0"})},
	 true},
	{"NumericNotEquals equal",
	 {ID_COND("{'NumericNotEquals':{'n':10}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"n", "10"})},
	 false},
	{"NumericNotEquals missing key",
	 {ID_COND("{'NumericNotEquals':{'n':10}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"NumericLessThan below",
	 {ID_COND("{'NumericLessThan':{'n':10}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"n", "9"})},
	 true},
	{"NumericLessThan equal",
	 {ID_COND("{'NumericLessThan':{'n':10}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"n", "10"})},
	 false},
	{"NumericLessThanEquals equal",
	 {ID_COND("{'NumericLessThanEquals':{'n':10}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"n", "10"})},
	 true},
	{"NumericGreaterThan",
	 {ID_COND("{'NumericGreaterThan':{'n':'10'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"n", "10.5"})},
	 true},
	{"NumericGreaterThanEquals below",
	 {ID_COND("{'NumericGreaterThanEquals':{'n':10}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"n", "9.99"})},
	 false},
	{"NumericGreaterThanEquals negative",
	 {ID_COND("{'NumericGreaterThanEquals':{'n':-5}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"n", "-5"})},
	 true},
	{"Numeric context not a number",
	 {ID_COND("{'NumericLessThan':{'n':10}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"n", "five"})},
	 false},
	{"NumericLessThanIfExists missing key",
	 {ID_COND("{'NumericLessThanIfExists':{'n':10}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},

	/* Null. */
	{"Null true, key absent",
	 {ID_COND("{'Null':{'aws:username':'true'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"Null true, key present",
	 {ID_COND("{'Null':{'aws:username':true}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 false},
	{"Null false, key present",
	 {ID_COND("{'Null':{'aws:username':false}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX(USERNAME("alice"))},
	 true},
	{"Null false, key absent",
	 {ID_COND("{'Null':{'aws:username':false}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},

	/* Multi-valued keys. */
	{"ForAnyValue one matches",
	 {ID_COND("{'ForAnyValue:StringEquals':{'aws:TagKeys':['team','env']}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:TagKeys", "cost"}, {"aws:TagKeys", "team"})},
	 true},
	{"ForAnyValue none matches",
	 {ID_COND("{'ForAnyValue:StringEquals':{'aws:TagKeys':['team','env']}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:TagKeys", "cost"})},
	 false},
	{"ForAnyValue missing key",
	 {ID_COND("{'ForAnyValue:StringEquals':{'aws:TagKeys':['team','env']}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 false},
	{"ForAnyValue IfExists missing key",
	 {ID_COND("{'ForAnyValue:StringEqualsIfExists':{'aws:TagKeys':'team'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"ForAllValues all match",
	 {ID_COND("{'ForAllValues:StringEquals':{'aws:TagKeys':['team','env']}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:TagKeys", "env"}, {"aws:TagKeys", "team"})},
	 true},
	{"ForAllValues one stray",
	 {ID_COND("{'ForAllValues:StringEquals':{'aws:TagKeys':['team','env']}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:TagKeys", "team"}, {"aws:TagKeys", "cost"})},
	 false},
	{"ForAllValues missing key",
	 {ID_COND("{'ForAllValues:StringEquals':{'aws:TagKeys':['team','env']}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1)},
	 true},
	{"ForAllValues StringNotEquals clean",
	 {ID_COND("{'ForAllValues:StringNotEquals':{'aws:TagKeys':'secret'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:TagKeys", "team"}, {"aws:TagKeys", "env"})},
	 true},
	{"ForAllValues StringNotEquals dirty",
	 {ID_COND("{'ForAllValues:StringNotEquals':{'aws:TagKeys':'secret'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:TagKeys", "team"}, {"aws:TagKeys", "secret"})},
	 false},
	{"ForAnyValue StringLike",
	 {ID_COND("{'ForAnyValue:StringLike':{'aws:TagKeys':'team-*'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:TagKeys", "cost"}, {"aws:TagKeys", "team-a"})},
	 true},
	{"plain StringNotEquals over several values",
	 {ID_COND("{'StringNotEquals':{'aws:TagKeys':'secret'}}")},
	 {NULL},
	 {ALICE(GET_DOMAIN, DOMAIN1), CTX({"aws:TagKeys", "team"}, {"aws:TagKeys", "secret"})},
	 false},
};

static void to_json_quotes(char *s)
{
	for (; *s; s++)
		if (*s == '\'')
			*s = '"';
}

static const struct ar_policy *parse_or_fail(struct ar_arena *a, const char *doc, enum ar_policy_kind kind,
					     const char *name)
{
	char *json = ar_strdup(a, doc);
	to_json_quotes(json);
	struct ar_policy *p;
	struct ar_err err = {0};
	if (ar_policy_parse(&p, a, json, strlen(json), kind, &err) != 0)
		fail_msg("%s: policy rejected: %s\n%s", name, err.msg, json);
	return p;
}

static void test_decisions(void **state)
{
	assert_true(sizeof cases / sizeof cases[0] >= 40);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct eval_case *c = &cases[i];
		struct ar_arena *a = ar_arena_new();
		const struct ar_policy *id[3], *res[3];
		size_t n_id = 0, n_res = 0;
		for (; n_id < 3 && c->identity[n_id]; n_id++)
			id[n_id] = parse_or_fail(a, c->identity[n_id], AR_POLICY_IDENTITY, c->name);
		for (; n_res < 3 && c->resource[n_res]; n_res++)
			res[n_res] = parse_or_fail(a, c->resource[n_res], AR_POLICY_RESOURCE, c->name);
		bool got = ar_authorize(&c->req, id, n_id, res, n_res);
		if (got != c->want)
			fail_msg("case %zu \"%s\": got %s, want %s", i, c->name, got ? "allow" : "deny",
				 c->want ? "allow" : "deny");
		ar_arena_free(a);
	}
}

/* The per-policy verdict distinguishes "denies" from "says nothing". */
static void test_policy_effect(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const struct ar_policy *p =
		parse_or_fail(a,
			      "{'Statement':[{'Effect':'Allow','Action':'codeartifact:*','Resource':'*'},"
			      "{'Effect':'Deny','Action':'codeartifact:Delete*','Resource':'*'}]}",
			      AR_POLICY_IDENTITY, "effect");
	struct ar_authz_request req = {ALICE(GET_DOMAIN, DOMAIN1)};
	assert_int_equal(ar_policy_eval(p, &req), AR_EFFECT_ALLOW);
	req.action = DEL_DOMAIN;
	assert_int_equal(ar_policy_eval(p, &req), AR_EFFECT_DENY);
	req.action = "s3:GetObject";
	assert_int_equal(ar_policy_eval(p, &req), AR_EFFECT_NONE);
	assert_int_equal(ar_policy_eval(NULL, &req), AR_EFFECT_NONE);
	/* A resource policy statement for someone else says nothing about this caller. */
	const struct ar_policy *r = parse_or_fail(a, RES_DENY("{'AWS':'" U_BOB "'}", "'*'"), AR_POLICY_RESOURCE, "r");
	req.action = GET_DOMAIN;
	assert_int_equal(ar_policy_eval(r, &req), AR_EFFECT_NONE);
	/* NULL entries in the policy arrays are skipped. */
	const struct ar_policy *ids[] = {NULL, p};
	assert_true(ar_authorize(&req, ids, 2, NULL, 0));
	ar_arena_free(a);
}

static void test_wildcard(void **state)
{
	assert_true(ar_wildcard_match("*", "", false));
	assert_true(ar_wildcard_match("", "", false));
	assert_false(ar_wildcard_match("", "a", false));
	assert_false(ar_wildcard_match("?", "", false));
	assert_true(ar_wildcard_match("a*b*c", "aXXbYYbZc", false));
	assert_false(ar_wildcard_match("a*b*c", "aXXbYYbZ", false));
	assert_true(ar_wildcard_match("*.tgz", "pkg-1.0.tgz", false));
	assert_true(ar_wildcard_match("A?C", "abc", true));
	assert_false(ar_wildcard_match("A?C", "abc", false));
	assert_true(ar_wildcard_match("**a**", "bab", false));
	/* A pattern built to make naive backtracking explode still finishes quickly and correctly. */
	char s[4001], pat[200];
	memset(s, 'a', 4000);
	s[4000] = '\0';
	for (int i = 0; i < 99; i++) {
		pat[2 * i] = 'a';
		pat[2 * i + 1] = '*';
	}
	pat[198] = 'b';
	pat[199] = '\0';
	assert_false(ar_wildcard_match(pat, s, false));
	s[3999] = 'b';
	assert_true(ar_wildcard_match(pat, s, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_policy_effect),
		cmocka_unit_test(test_wildcard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
