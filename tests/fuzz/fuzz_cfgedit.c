/* tests/fuzz/fuzz_cfgedit.c - INI and TOML edits over arbitrary configuration files */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cfgedit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ar_arena *a = ar_arena_new();
	char *text = ar_strndup(a, (const char *)data, size);
	/* what an edit sets, a read gives back; and setting it again changes nothing */
	char *set = ar_cfgedit_ini_set(a, text, "global", "index-url", "https://x/simple/");
	char *got = ar_cfgedit_ini_get(a, set, "global", "index-url");
	if (!got || strcmp(got, "https://x/simple/") != 0)
		abort();
	if (strcmp(ar_cfgedit_ini_set(a, set, "global", "index-url", "https://x/simple/"), set) != 0)
		abort();
	/* a dropped table or entry is gone, and dropping is idempotent */
	char *t1 = ar_cfgedit_toml_drop_table(a, text, "repositories.r");
	if (strcmp(ar_cfgedit_toml_drop_table(a, t1, "repositories.r"), t1) != 0)
		abort();
	char *t2 = ar_cfgedit_toml_drop_entries(a, text, "index", "name", "r");
	if (strcmp(ar_cfgedit_toml_drop_entries(a, t2, "index", "name", "r"), t2) != 0)
		abort();
	ar_cfgedit_toml_drop_entry_key(a, text, "index", "default");
	ar_cfgedit_append(a, text, "[[index]]\n");
	ar_arena_free(a);
	return 0;
}
