/* test_json_writer.c - the writer's text is what jansson's compact dump gives. */
#include "test_support.h"

#include "core/json_writer.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Writes `s` as the only member of an object and checks it against jansson. */
static void assert_string_as_jansson(const char *s, const char *expect_value)
{
	struct vrp_jw w;
	vrp_jw_init(&w);
	vrp_jw_object_begin(&w);
	vrp_jw_key(&w, "k");
	vrp_jw_string(&w, s);
	vrp_jw_object_end(&w);
	char *mine = vrp_jw_finish(&w, NULL);
	assert_non_null(mine);
	json_t *o = json_pack("{s:s}", "k", expect_value);
	char *theirs = json_dumps(o, JSON_COMPACT);
	assert_string_equal(mine, theirs);
	free(theirs);
	json_decref(o);
	free(mine);
}

static void test_strings_are_escaped_as_jansson_does(void **state)
{
	(void)state;
	assert_string_as_jansson("plain memo 2026-12-03", "plain memo 2026-12-03");
	assert_string_as_jansson("say \"hi\" \\ now", "say \"hi\" \\ now");
	assert_string_as_jansson("tab\tnl\ncr\rbs\bff\f\x01\x1f end",
				 "tab\tnl\ncr\rbs\bff\f\x01\x1f end");
	assert_string_as_jansson("a/b \x7f caf\xc3\xa9 \xf0\x9f\x8e\xa4",
				 "a/b \x7f caf\xc3\xa9 \xf0\x9f\x8e\xa4");
	/* Ill-formed bytes become U+FFFD, one each. */
	assert_string_as_jansson("caf\xe9\xff", "caf\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_numbers_and_nesting(void **state)
{
	(void)state;
	struct vrp_jw w;
	vrp_jw_init(&w);
	vrp_jw_object_begin(&w);
	vrp_jw_key(&w, "i");
	vrp_jw_int(&w, -9007199254740993LL);
	vrp_jw_key(&w, "whole");
	vrp_jw_real(&w, 3.0);
	vrp_jw_key(&w, "d");
	vrp_jw_real(&w, 4236.332);
	vrp_jw_key(&w, "tiny");
	vrp_jw_real(&w, 1e-300);
	vrp_jw_key(&w, "inf");
	vrp_jw_real(&w, INFINITY);
	vrp_jw_key(&w, "a");
	vrp_jw_array_begin(&w);
	vrp_jw_bool(&w, true);
	vrp_jw_null(&w);
	vrp_jw_array_begin(&w);
	vrp_jw_array_end(&w);
	vrp_jw_object_begin(&w);
	vrp_jw_object_end(&w);
	vrp_jw_raw_value(&w, "[1,2]", 5);
	vrp_jw_array_end(&w);
	vrp_jw_object_end(&w);
	size_t len = 0;
	char *text = vrp_jw_finish(&w, &len);
	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	json_t *expect = json_pack("{s:I, s:f, s:f, s:f, s:n, s:[b, n, [], {}, [i, i]]}", "i",
				   (json_int_t)-9007199254740993LL, "whole", 3.0, "d", 4236.332,
				   "tiny", 1e-300, "inf", "a", 1, 1, 2);
	char *theirs = json_dumps(expect, JSON_COMPACT);
	assert_string_equal(text, theirs);
	free(theirs);
	json_decref(expect);
	free(text);
}

static void test_an_empty_writer_gives_empty_text(void **state)
{
	(void)state;
	struct vrp_jw w;
	vrp_jw_init(&w);
	size_t len = 99;
	char *text = vrp_jw_finish(&w, &len);
	assert_non_null(text);
	assert_string_equal(text, "");
	assert_int_equal(len, 0);
	free(text);
}

/* A long page grows the buffer many times; every byte must survive. */
static void test_large_output(void **state)
{
	(void)state;
	struct vrp_jw w;
	vrp_jw_init(&w);
	vrp_jw_array_begin(&w);
	for (int i = 0; i < 20000; i++)
		vrp_jw_string(&w, "recordings/raw/c02e1ade-2c44-4ade-ac44-0000000f423e.wav");
	vrp_jw_array_end(&w);
	char *text = vrp_jw_finish(&w, NULL);
	json_error_t err;
	json_t *a = json_loads(text, 0, &err);
	assert_non_null(a);
	assert_int_equal(json_array_size(a), 20000);
	assert_string_equal(json_string_value(json_array_get(a, 19999)),
			    "recordings/raw/c02e1ade-2c44-4ade-ac44-0000000f423e.wav");
	json_decref(a);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_are_escaped_as_jansson_does),
		cmocka_unit_test(test_numbers_and_nesting),
		cmocka_unit_test(test_an_empty_writer_gives_empty_text),
		cmocka_unit_test(test_large_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
