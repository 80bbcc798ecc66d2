// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for PKRAM, the Persistent Kernel RAM streams API.
 */
#include <kunit/test.h>
#include <linux/pkram.h>
#include <linux/slab.h>
#include <linux/string.h>

/* Builds a name of @len bytes, NUL not counted. */
static char *pkram_test_name(struct kunit *test, size_t len)
{
	char *name = kunit_kzalloc(test, len + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, name);
	memset(name, 'n', len);
	return name;
}

static void pkram_test_load_missing(struct kunit *test)
{
	struct pkram_stream ps;

	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, "pkram-test-missing"),
			-ENOENT);
}

static void pkram_test_load_bad_names(struct kunit *test)
{
	struct pkram_stream ps;

	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, ""), -EINVAL);
	KUNIT_EXPECT_EQ(test,
			pkram_prepare_load(&ps, pkram_test_name(test, PKRAM_NAME_MAX)),
			-ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test,
			pkram_prepare_load(&ps, pkram_test_name(test, PKRAM_NAME_MAX - 1)),
			-ENOENT);
}

static void pkram_test_save_bad_names(struct kunit *test)
{
	struct pkram_stream ps;

	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps, NULL, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps, "", GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test,
			pkram_prepare_save(&ps, pkram_test_name(test, PKRAM_NAME_MAX),
					   GFP_KERNEL),
			-ENAMETOOLONG);
}

static struct kunit_case pkram_test_cases[] = {
	KUNIT_CASE(pkram_test_load_missing),
	KUNIT_CASE(pkram_test_load_bad_names),
	KUNIT_CASE(pkram_test_save_bad_names),
	{}
};

static struct kunit_suite pkram_test_suite = {
	.name = "pkram",
	.test_cases = pkram_test_cases,
};

kunit_test_suite(pkram_test_suite);

MODULE_DESCRIPTION("KUnit tests for PKRAM");
MODULE_LICENSE("GPL");
