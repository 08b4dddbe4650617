/* tests/unit/repo/test_pypi_index.c - the simple index queries: visibility by status, project list, stamps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/domain.h"
#include "repo/package.h"
#include "repo/pypi_index.h"
#include "repo/repository.h"
#include "store/blob.h"
#include "store/db.h"

#include "db_fixture.h"

enum { PY, OTHER }; /* f->repos[] */

static int setup(void **state)
{
	*state = db_fixture_new(&(struct db_fixture_opts){.tag = "pyidx", .has_blobs = true, .repos = {"py", "other"}});
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	db_fixture_free(*state);
	return 0;
}

/* Publishes one file (its bytes are its name) into repo; returns the version. */
static struct ar_version publish(struct db_fixture *f, const struct ar_repository *repo, const char *format,
				 const char *name, const char *version, const char *file)
{
	struct ar_err err = {0};
	struct ar_asset_in x = {.name = file, .attrs = "{\"requires_python\":\">=3.8\"}"};
	if (ar_blob_put_mem(f->blobs, file, strlen(file), x.hashes.sha256, &err) != 0)
		fail_msg("put: %s", err.msg);
	snprintf(x.hashes.md5, sizeof x.hashes.md5, "%032d", 0);
	snprintf(x.hashes.sha1, sizeof x.hashes.sha1, "%040d", 0);
	snprintf(x.hashes.sha512, sizeof x.hashes.sha512, "%0128d", 0);
	x.hashes.size = strlen(file);
	struct ar_publish_in in = {
		.key = {.format = format, .ns = "", .name = name},
		.version = version,
		.add_to_existing = true,
		.assets = &x,
		.n_assets = 1,
	};
	struct ar_version v;
	if (ar_publish(&v, f->c, f->blobs, f->a, repo, &in, &err) != 0)
		fail_msg("publish %s %s: %s", name, version, err.msg);
	return v;
}

static void set_status(struct db_fixture *f, const struct ar_version *v, enum ar_vstatus s)
{
	struct ar_err err = {0};
	assert_int_equal(ar_dbc_begin(f->c, true, &err), 0);
	assert_int_equal(ar_version_set_status(f->c, v, s, &err), 0);
	assert_int_equal(ar_dbc_commit(f->c, &err), 0);
}

static bool has_file(const struct ar_pypi_index_file *files, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i].filename, name) == 0)
			return true;
	return false;
}

static void test_files_by_status(void **state)
{
	struct db_fixture *f = *state;
	struct ar_err err = {0};
	struct ar_version v1 = publish(f, &f->repos[PY], "pypi", "demo", "1.0", "demo-1.0.tar.gz");
	publish(f, &f->repos[PY], "pypi", "demo", "1.0", "demo-1.0-py3-none-any.whl");
	struct ar_version v2 = publish(f, &f->repos[PY], "pypi", "demo", "2.0", "demo-2.0.tar.gz");
	struct ar_version v3 = publish(f, &f->repos[PY], "pypi", "demo", "3.0", "demo-3.0.tar.gz");
	struct ar_version v4 = publish(f, &f->repos[PY], "pypi", "demo", "4.0", "demo-4.0.tar.gz");
	set_status(f, &v2, AR_ST_UNLISTED);
	set_status(f, &v3, AR_ST_ARCHIVED);
	set_status(f, &v4, AR_ST_DISPOSED);
	struct ar_pypi_index_file *files;
	size_t n;
	assert_int_equal(ar_pypi_index_files(&files, &n, f->c, f->a, v1.package_id, &err), 0);
	/* Published and Unlisted are served; Archived and Disposed are not */
	assert_int_equal(n, 3);
	assert_true(has_file(files, n, "demo-1.0.tar.gz"));
	assert_true(has_file(files, n, "demo-1.0-py3-none-any.whl"));
	assert_true(has_file(files, n, "demo-2.0.tar.gz"));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(files[i].status,
				 strcmp(files[i].version, "2.0") == 0 ? AR_ST_UNLISTED : AR_ST_PUBLISHED);
		assert_string_equal(files[i].attrs, "{\"requires_python\":\">=3.8\"}");
		assert_int_equal(files[i].size, (int64_t)strlen(files[i].filename));
		assert_int_equal(strlen(files[i].sha256), 64);
	}
}

static void test_projects_and_stamp(void **state)
{
	struct db_fixture *f = *state;
	struct ar_err err = {0};
	const char *s0, *s1, *s2, *s3;
	assert_int_equal(ar_pypi_index_stamp(&s0, f->c, f->a, f->repos[PY].id, &err), 0);
	struct ar_pypi_index_project *projects;
	size_t n;
	assert_int_equal(ar_pypi_index_projects(&projects, &n, f->c, f->a, f->repos[PY].id, &err), 0);
	assert_int_equal(n, 0);

	struct ar_version b = publish(f, &f->repos[PY], "pypi", "b-pkg", "1.0", "b_pkg-1.0.tar.gz");
	publish(f, &f->repos[PY], "pypi", "b-pkg", "1.1", "b_pkg-1.1.tar.gz");
	struct ar_version a1 = publish(f, &f->repos[PY], "pypi", "a-pkg", "1.0", "a_pkg-1.0.tar.gz");
	publish(f, &f->repos[PY], "npm", "not-python", "1.0.0", "package.tgz"); /* other formats stay out */
	publish(f, &f->repos[OTHER], "pypi", "elsewhere", "1.0", "elsewhere-1.0.tar.gz");
	assert_int_equal(ar_pypi_index_stamp(&s1, f->c, f->a, f->repos[PY].id, &err), 0);
	assert_string_not_equal(s0, s1);
	assert_int_equal(ar_pypi_index_projects(&projects, &n, f->c, f->a, f->repos[PY].id, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(projects[0].name, "a-pkg"); /* by name, each once */
	assert_string_equal(projects[1].name, "b-pkg");

	/* a project whose only version is archived leaves the list, and the stamp moves */
	set_status(f, &a1, AR_ST_ARCHIVED);
	assert_int_equal(ar_pypi_index_stamp(&s2, f->c, f->a, f->repos[PY].id, &err), 0);
	assert_string_not_equal(s1, s2);
	assert_int_equal(ar_pypi_index_projects(&projects, &n, f->c, f->a, f->repos[PY].id, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(projects[0].name, "b-pkg");

	/* removing a package moves it too */
	assert_int_equal(ar_dbc_begin(f->c, true, &err), 0);
	assert_int_equal(ar_pkg_remove(f->c, b.package_id, &err), 0);
	assert_int_equal(ar_dbc_commit(f->c, &err), 0);
	assert_int_equal(ar_pypi_index_stamp(&s3, f->c, f->a, f->repos[PY].id, &err), 0);
	assert_string_not_equal(s2, s3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_files_by_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_projects_and_stamp, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
