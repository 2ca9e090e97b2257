/* test_poll_outcome.c: what each kind of failed request leads to (wait,
 * counters, log once or per streak) and how the message reads. One row
 * per reply.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "cfl_outcome.h"

#define NOW INT64_C(784111777000) /* Sun, 06 Nov 1994 08:49:37 GMT */

static const cfl_outcome_cfg_t cfg = { 300000, 60, "datacenter", 64u << 20 };

static const struct {
	const char *name;
	cfl_reply_t r;
	cfl_fail_t fail;
	int64_t delay_ms; /* -1: a backoff in [500, 1000] (first attempt, base 1 s) */
	int retry, rate_wait, log_once, warning;
	const char *msg_part;
} rows[] = {
	{ "200", { 0, NULL, NULL, 200, "{}", 2, NULL, NULL, 0, 0, NULL }, CFL_FAIL_NONE, 0, 0, 0, 0, 0, NULL },
	{ "401",
	  { 0, NULL, NULL, 401, "{}", 2, NULL, NULL, 0, 0, NULL },
	  CFL_FAIL_AUTH,
	  60000,
	  0,
	  0,
	  1,
	  0,
	  "authentication failed (HTTP 401): check username and password/passwordFile (Cloud: the account's e-mail and an API token)" },
	{ "403 Free plan",
	  { 0, NULL, NULL, 403, "{\"message\":\"Cannot make this request because you are on Free edition\"}", 70, NULL,
	    NULL, 0, 1, NULL },
	  CFL_FAIL_FORBIDDEN,
	  60000,
	  0,
	  0,
	  1,
	  0,
	  "needs the Confluence Administrator permission, and Confluence Cloud's Free plan has no audit log (server said: \"{\"message\":\"Cannot make" },
	{ "403 other",
	  { 0, NULL, NULL, 403, "forbidden", 9, NULL, NULL, 0, 0, NULL },
	  CFL_FAIL_FORBIDDEN,
	  60000,
	  0,
	  0,
	  1,
	  0,
	  "permission; Confluence Cloud's Free plan has no audit log" },
	{ "302",
	  { 0, NULL, NULL, 302, "", 0, NULL, "https://login.example/sso", 0, 1, NULL },
	  CFL_FAIL_REDIRECT,
	  60000,
	  0,
	  0,
	  1,
	  0,
	  "redirects (HTTP 302) to https://login.example/sso; redirects are not followed" },
	{ "200 SSO login page",
	  { 0, NULL, NULL, 200,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><TITLE>\n Log in with SSO - Example Corp "
	    "</TITLE></head><body><form action=\"/saml/login\"></form></body></html>",
	    169, NULL, NULL, 0, 1, NULL, "text/html;charset=UTF-8" },
	  CFL_FAIL_HTML,
	  -1,
	  1,
	  0,
	  1,
	  0,
	  "the server answered with an HTML page (title \"Log in with SSO - Example Corp\") instead of the audit "
	  "API's JSON: a single sign-on or login page? Check url" },
	{ "200 HTML, no Content-Type, no title",
	  { 0, NULL, NULL, 200, " \r\n<html><body>Please log in</body></html>", 42, NULL, NULL, 0, 1, NULL, NULL },
	  CFL_FAIL_HTML,
	  -1,
	  1,
	  0,
	  1,
	  0,
	  "an HTML page instead of the audit API's JSON" },
	{ "200 XHTML",
	  { 0, NULL, NULL, 200, "<?xml version=\"1.0\"?><html/>", 28, NULL, NULL, 0, 1, NULL,
	    " application/xhtml+xml" },
	  CFL_FAIL_HTML,
	  -1,
	  1,
	  0,
	  1,
	  0,
	  "an API token (Cloud) or a personal access token (Data Center) is not sent to single sign-on" },
	{ "200 JSON labelled text/html",
	  { 0, NULL, NULL, 200, " {\"entities\":[]}", 16, NULL, NULL, 0, 1, NULL, "text/html" },
	  CFL_FAIL_NONE,
	  0,
	  0,
	  0,
	  0,
	  0,
	  NULL },
	{ "200 text/plain (the parser's to refuse)",
	  { 0, NULL, NULL, 200, "Service starting", 16, NULL, NULL, 0, 1, NULL, "text/plain" },
	  CFL_FAIL_NONE,
	  0,
	  0,
	  0,
	  0,
	  0,
	  NULL },
	{ "404",
	  { 0, NULL, NULL, 404, "<html>Not Found\n</html>", 23, NULL, NULL, 0, 0,
	    "http://h/rest/auditing/1.0/events?limit=1" },
	  CFL_FAIL_CLIENT,
	  60000,
	  0,
	  0,
	  0,
	  0,
	  "HTTP 404 for http://h/rest/auditing/1.0/events?limit=1 (server said: \"<html>Not Found.</html>\"): check url" },
	{ "407",
	  { 0, NULL, NULL, 407, "", 0, NULL, NULL, 0, 0, "http://h/rest/auditing/1.0/events?limit=1" },
	  CFL_FAIL_CLIENT,
	  60000,
	  0,
	  0,
	  1,
	  0,
	  "the proxy asks for authentication (HTTP 407 Proxy Authentication Required)" },
	{ "429 Retry-After 2",
	  { 0, NULL, NULL, 429, "", 0, "2", NULL, 0, 1, NULL },
	  CFL_FAIL_RATE,
	  2000,
	  1,
	  1,
	  0,
	  1,
	  "rate limited (HTTP 429, Retry-After: 2); waiting 2.0 s (at most maxBackoff=300 s)" },
	{ "429 Long.MAX",
	  { 0, NULL, NULL, 429, "", 0, "9223372036854775807", NULL, 0, 1, NULL },
	  CFL_FAIL_RATE,
	  300000,
	  1,
	  1,
	  0,
	  1,
	  "waiting 300.0 s" },
	{ "429 date",
	  { 0, NULL, NULL, 429, "", 0, "Sun, 06 Nov 1994 08:50:37 GMT", NULL, 0, 1, NULL },
	  CFL_FAIL_RATE,
	  60000,
	  1,
	  1,
	  0,
	  1,
	  "waiting 60.0 s" },
	{ "429 without Retry-After",
	  { 0, NULL, NULL, 429, "", 0, NULL, NULL, 0, 1, NULL },
	  CFL_FAIL_RATE,
	  -1,
	  1,
	  0,
	  0,
	  1,
	  "Retry-After: none" },
	{ "500",
	  { 0, NULL, NULL, 500, "oops", 4, NULL, NULL, 0, 1, NULL },
	  CFL_FAIL_SERVER,
	  -1,
	  1,
	  0,
	  0,
	  0,
	  "server error HTTP 500; retrying in" },
	{ "503 Retry-After",
	  { 0, NULL, NULL, 503, "", 0, "7", NULL, 0, 1, NULL },
	  CFL_FAIL_SERVER,
	  7000,
	  1,
	  1,
	  0,
	  0,
	  "server error HTTP 503 (Retry-After: 7); retrying in 7.0 s" },
	{ "timeout",
	  { CURLE_OPERATION_TIMEDOUT, "Operation timed out after 30000 milliseconds with 0 bytes received",
	    "Timeout was reached", 0, "", 0, NULL, NULL, 0, 1, NULL },
	  CFL_FAIL_TRANSPORT,
	  -1,
	  1,
	  0,
	  0,
	  0,
	  "request failed: Operation timed out after 30000 milliseconds with 0 bytes received (curl: Timeout was reached). Retrying in" },
	{ "unknown CA",
	  { CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: unable to get local issuer certificate",
	    "SSL peer certificate or SSH remote key was not OK", 0, "", 0, NULL, NULL, 0, 1, NULL },
	  CFL_FAIL_TRANSPORT,
	  -1,
	  1,
	  0,
	  0,
	  0,
	  "; check tls.cacert" },
	{ "handshake dropped",
	  { CURLE_RECV_ERROR, "Recv failure", "Failure when receiving data from the peer", 0, "", 0, NULL, NULL, 0, 1,
	    NULL },
	  CFL_FAIL_TRANSPORT,
	  -1,
	  1,
	  0,
	  0,
	  0,
	  "set tls.mycert and tls.myprivkey" },
	{ "DNS",
	  { CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: x.atlassian.net", "Couldn't resolve host name", 0, "",
	    0, NULL, NULL, 0, 1, NULL },
	  CFL_FAIL_TRANSPORT,
	  -1,
	  1,
	  0,
	  0,
	  0,
	  "check the host name in url" },
	{ "too big",
	  { CURLE_WRITE_ERROR, "Failure writing output", "Failed writing received data", 200, "", 0, NULL, NULL, 1, 1,
	    NULL },
	  CFL_FAIL_TOO_BIG,
	  -1,
	  1,
	  0,
	  0,
	  0,
	  "the reply is larger than 67108864 bytes; lower pageSize" },
};

static void each_reply_leads_to_its_wait_and_message(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cfl_backoff_t bo;
		cfl_outcome_t o;
		cfl_backoff_init(&bo, 1000, cfg.max_backoff_ms);
		cfl_outcome_decide(&rows[i].r, &cfg, &bo, 0xffffffffu, NOW, &o);
		if (o.fail != rows[i].fail || o.retry != rows[i].retry || o.rate_wait != rows[i].rate_wait ||
		    o.log_once != rows[i].log_once || o.warning != rows[i].warning)
			fail_msg("%s: fail %d retry %d rate %d once %d warn %d", rows[i].name, o.fail, o.retry,
			         o.rate_wait, o.log_once, o.warning);
		if (rows[i].delay_ms >= 0 ? o.delay_ms != rows[i].delay_ms : (o.delay_ms < 500 || o.delay_ms > 1000))
			fail_msg("%s: delay %lld ms", rows[i].name, (long long)o.delay_ms);
		if (rows[i].msg_part != NULL && strstr(o.msg, rows[i].msg_part) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", rows[i].name, o.msg, rows[i].msg_part);
	}
}

static void consecutive_failures_back_off_and_a_success_resets(void **state)
{
	cfl_reply_t err500 = { 0, NULL, NULL, 500, "", 0, NULL, NULL, 0, 0, NULL };
	cfl_reply_t ok = { 0, NULL, NULL, 200, "{}", 2, NULL, NULL, 0, 0, NULL };
	cfl_backoff_t bo;
	cfl_outcome_t o;
	int64_t prev = 0;
	int i;

	cfl_backoff_init(&bo, 1000, 8000);
	for (i = 0; i < 6; i++) {
		cfl_outcome_decide(&err500, &cfg, &bo, 0, NOW, &o); /* rnd 0: the fixed half */
		assert_true(o.delay_ms >= prev);
		assert_true(o.delay_ms <= 4000);
		prev = o.delay_ms;
	}
	assert_int_equal(prev, 4000);
	cfl_outcome_decide(&ok, &cfg, &bo, 0, NOW, &o);
	cfl_outcome_decide(&err500, &cfg, &bo, 0, NOW, &o);
	assert_int_equal(o.delay_ms, 500);
}

/* The organization flavour: a 404 is a wrong orgId, not a wrong url. */
/* the body the events-stream sends with its 404 (its length is what the test passes) */
#define NOT_FOUND "{\"errors\":[{\"title\":\"Not Found\"}]}"

static void an_organization_404_points_at_org_id(void **state)
{
	static const cfl_outcome_cfg_t org = { 300000, 60, "organization", 64u << 20 };
	cfl_reply_t r = { 0,
		          NULL,
		          NULL,
		          404,
		          NOT_FOUND,
		          sizeof(NOT_FOUND) - 1,
		          NULL,
		          NULL,
		          0,
		          1,
		          "https://api.atlassian.com/admin/v1/orgs/0000/events-stream" };
	cfl_backoff_t bo;
	cfl_outcome_t o;

	cfl_backoff_init(&bo, 1000, org.max_backoff_ms);
	cfl_outcome_decide(&r, &org, &bo, 0, NOW, &o);
	assert_int_equal(o.fail, CFL_FAIL_CLIENT);
	assert_int_equal(o.delay_ms, 60000);
	assert_non_null(strstr(o.msg, "HTTP 404 for https://api.atlassian.com/admin/v1/orgs/0000/events-stream"));
	assert_non_null(strstr(o.msg, "check orgId"));
	assert_null(strstr(o.msg, "context path"));
	cfl_outcome_decide(&r, &cfg, &bo, 0, NOW, &o); /* the other flavours keep the url hint */
	assert_non_null(strstr(o.msg, "context path"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_reply_leads_to_its_wait_and_message),
		cmocka_unit_test(consecutive_failures_back_off_and_a_success_resets),
		cmocka_unit_test(an_organization_404_points_at_org_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
