/* cli/cfgedit.h - line-based edits of INI (pip.conf, .pypirc) and TOML (uv.toml, poetry) files that keep
   everything the user wrote that the edit is not about */
#ifndef AR_CLI_CFGEDIT_H
#define AR_CLI_CFGEDIT_H

#include "core/arena.h"

/* --- INI, as Python's configparser reads it --- */

/* The value of key in [section]: continuation lines joined with '\n', each trimmed; NULL when
   absent. Keys match case-insensitively with '-' and '_' alike (pip's rule). Arena memory. */
char *ar_cfgedit_ini_get(struct ar_arena *a, const char *text, const char *section, const char *key);

/* A copy of text with key = value in [section]: replaces the key (every spelling of it, with its
   continuation lines), else adds it at the end of the section, else appends the section. A value
   with '\n' is written as indented continuation lines. text may be NULL (empty file). */
char *ar_cfgedit_ini_set(struct ar_arena *a, const char *text, const char *section, const char *key, const char *value);

/* --- TOML: tables are found by their header lines --- */

/* text as a TOML basic string, quoted and escaped. */
char *ar_cfgedit_toml_str(struct ar_arena *a, const char *s);

/* A copy of text without table [name] and its sub-tables [name.*] (quoted header parts such as
   [repositories."x"] match too), and without the keys that define the same thing elsewhere:
   `last = ...` / `last.x = ...` inside the parent table, or the whole dotted key at the top. */
char *ar_cfgedit_toml_drop_table(struct ar_arena *a, const char *text, const char *name);

/* A copy of text without the [[array]] entries whose `key` is the string value. */
char *ar_cfgedit_toml_drop_entries(struct ar_arena *a, const char *text, const char *array, const char *key,
				   const char *value);

/* A copy of text where no [[array]] entry sets key (e.g. removing other indexes' `default`). */
char *ar_cfgedit_toml_drop_entry_key(struct ar_arena *a, const char *text, const char *array, const char *key);

/* text followed by block, with exactly one blank line between them (text may be NULL). */
char *ar_cfgedit_append(struct ar_arena *a, const char *text, const char *block);

#endif
