/* test_imconfluence_http.c: imconfluence's libcurl handle (imconfluence_http.c)
 * against the real libcurl it is built with: an option libcurl refuses is
 * named with the input parameter behind it, and transfer failures get our
 * own words whatever libcurl's text says (it changes between versions).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "imconfluence_http.h"

static icf_http_cfg_t base_cfg(void)
{
	icf_http_cfg_t c;

	memset(&c, 0, sizeof(c));
	c.timeout_ms = 1000;
	c.max_body = 1 << 20;
	return c;
}

static void test_defaults_accepted(void **state)
{
	icf_http_cfg_t c = base_cfg();
	char err[512] = "";
	icf_http_t *h = icf_http_new(&c, err, sizeof(err));

	assert_non_null(h);
	assert_string_equal(err, "");
	icf_http_free(h);
}

/* libcurl itself refuses an out-of-range CURLOPT_SSLVERSION: the error
 * names the option, the parameters and libcurl's version */
static void test_refused_option_named(void **state)
{
	icf_http_cfg_t c = base_cfg();
	char err[512] = "", want[128];

	c.tls_min = 0x7fff;
	assert_null(icf_http_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "refused CURLOPT_SSLVERSION (parameter tls.minVersion/tls.maxVersion)"));
	snprintf(want, sizeof(want), "libcurl %s ", curl_version_info(CURLVERSION_NOW)->version);
	assert_non_null(strstr(err, want));
}

static void test_failure_words(void **state)
{
	assert_string_equal(icf_http_failure(CURLE_COULDNT_CONNECT, ECONNREFUSED),
	                    "cannot connect (connection refused)");
	assert_string_equal(icf_http_failure(CURLE_COULDNT_CONNECT, EHOSTUNREACH), "cannot connect (host unreachable)");
	assert_string_equal(icf_http_failure(CURLE_COULDNT_CONNECT, 0), "cannot connect");
	assert_string_equal(icf_http_failure(CURLE_COULDNT_RESOLVE_HOST, 0), "cannot resolve host");
	assert_string_equal(icf_http_failure(CURLE_OPERATION_TIMEDOUT, 0), "timed out");
	assert_string_equal(icf_http_failure(CURLE_SSL_CONNECT_ERROR, 0), "TLS handshake failed");
	assert_string_equal(icf_http_failure(CURLE_PEER_FAILED_VERIFICATION, 0), "TLS server certificate not verified");
	assert_string_equal(icf_http_failure(CURLE_UNSUPPORTED_PROTOCOL, 0),
	                    "scheme not allowed (only http and https)");
	assert_string_equal(icf_http_failure(CURLE_FAILED_INIT, 0), "transfer failed");
}

/* a real refused connection: our words first, then libcurl's text */
static void test_refused_connection(void **state)
{
	icf_http_cfg_t c = base_cfg();
	icf_http_result_t r;
	char err[512] = "";
	icf_http_t *h = icf_http_new(&c, err, sizeof(err));
	CURL *e;

	assert_non_null(h);
	/* port 1 on loopback: nothing listens there (tcpmux is long gone) */
	e = icf_http_start(h, "http://127.0.0.1:1/");
	assert_non_null(e);
	icf_http_finish(h, curl_easy_perform(e), &r);
	assert_int_equal(r.curl_rc, CURLE_COULDNT_CONNECT);
	assert_non_null(r.error);
	assert_true(strncmp(r.error, "cannot connect (connection refused): ", 37) == 0);
	icf_http_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_accepted),
		cmocka_unit_test(test_refused_option_named),
		cmocka_unit_test(test_failure_words),
		cmocka_unit_test(test_refused_connection),
	};

	curl_global_init(CURL_GLOBAL_ALL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
