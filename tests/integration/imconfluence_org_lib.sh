# imconfluence_org_lib.sh: helpers for the tests/integration/imconfluence_org*.sh
# scripts, on top of imconfluence_lib.sh (sourced after it; not a test itself).
#
#   org_start NAME [mock args]   start tests/mock/org_audit_mock.py (m_start's
#                                variables, control API and request log apply)
#   org_key                      writes the API key file, sets ORG_KEY_FILE
#   org_input NAME [params]      an input() of flavor="organization" for that mock
#   org_gen NAME COUNT FROM_S_AGO TO_S_AGO [EXTRA_JSON]  synthetic events
#   org_ids FILE                 the event ids of a JSON-lines file, one per line
#
# Licensed under the Apache License, Version 2.0.

ORG_ID=00000000-0000-0000-0000-000000000000
ORG_MOCK=$top_srcdir/tests/mock/org_audit_mock.py

org_start() {
	local name=$1
	shift
	CFL_MOCK=$ORG_MOCK m_start "$name" "$@"
}

org_key() {
	ORG_KEY_FILE=$H_DIR/org.key
	printf 'test-api-key\n' >"$ORG_KEY_FILE"
	chmod 600 "$ORG_KEY_FILE"
}

# org_input NAME [more params]: flavor, url, orgId and the key for mock NAME.
org_input() {
	local name=$1 url
	shift
	eval "url=\$M_URL_$name"
	[ -n "${ORG_KEY_FILE:-}" ] || org_key
	echo "input(type=\"imconfluence\" flavor=\"organization\" url=\"$url\" orgId=\"$ORG_ID\"
      tokenFile=\"$ORG_KEY_FILE\" $*)"
}

org_gen() {
	local now extra=${5:-}
	now=$(($(date +%s) * 1000))
	m_ctl "$1" POST /__mock/generate '{"count":'"$2"',"ts_from_ms":'$((now - $3 * 1000))',"ts_to_ms":'$((now - $4 * 1000))${extra:+,$extra}'}' >/dev/null
}

org_ids() {
	jq -r .id "$1"
}
