#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# make_test_ca.sh DIR -- test PKI for the Confluence mock (EC P-256, openssl CLI).
#
# Creates, in DIR (idempotent: existing valid files are kept):
#   ca.pem ca.key                   test CA
#   server.pem server.key           server cert for DNS:localhost, IP:127.0.0.1, IP:::1 (signed by ca)
#   server-chain.pem                server.pem + ca.pem
#   client.pem client.key           client cert, CN=imconfluence-client (clientAuth, signed by ca)
#   wronghost.pem wronghost.key     server cert for DNS:wrong.example only (signed by ca):
#                                   chain is valid, host name check must fail
#   rogue-ca.pem rogue-ca.key       an unrelated CA
#   rogue-server.pem rogue-server.key   localhost/127.0.0.1 cert signed by the rogue CA
#   rogue-client.pem rogue-client.key   client cert signed by the rogue CA
# Everything is valid for 10 years.  These are throw-away test keys: all files
# are left readable (0644) so a test daemon under another uid can load them.
# Concurrent runs on the same DIR are serialised with flock.
set -euo pipefail

dir=${1:?usage: make_test_ca.sh DIR}
mkdir -p "$dir"
cd "$dir"
exec 9>.lock
flock 9
umask 022
DAYS=3650

newkey() {  # file
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

mkca() {  # name cn
	local name=$1 cn=$2
	if [ -s "$name.pem" ] && [ -s "$name.key" ]; then return 0; fi
	newkey "$name.key"
	# A config of our own, not -addext: OpenSSL 1.1.1 (Debian 11) adds -addext
	# on top of openssl.cnf's v3_ca, and a CA with duplicate extensions is
	# not accepted as an issuer ("unable to get local issuer certificate").
	local cnf
	cnf=$(mktemp "$name.cnf.XXXXXX")
	printf '%s\n' '[req]' 'distinguished_name = dn' '[dn]' '[ca]' \
		'basicConstraints = critical,CA:TRUE' 'keyUsage = critical,keyCertSign,cRLSign' \
		'subjectKeyIdentifier = hash' >"$cnf"
	openssl req -x509 -new -config "$cnf" -extensions ca -key "$name.key" -sha256 -days "$DAYS" \
		-subj "/O=rsyslog-confluence tests/CN=$cn" -out "$name.pem"
	rm -f "$cnf"
}

mkleaf() {  # name ca cn san eku
	local name=$1 ca=$2 cn=$3 san=$4 eku=$5
	if [ -s "$name.pem" ] && [ -s "$name.key" ] &&
		openssl verify -CAfile "$ca.pem" "$name.pem" >/dev/null 2>&1; then
		return 0
	fi
	newkey "$name.key"
	local ext
	ext=$(mktemp "$name.ext.XXXXXX")
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature"
		echo "extendedKeyUsage=$eku"
		echo "subjectKeyIdentifier=hash"
		echo "authorityKeyIdentifier=keyid"
		if [ -n "$san" ]; then echo "subjectAltName=$san"; fi
	} >"$ext"
	openssl req -new -key "$name.key" -subj "/O=rsyslog-confluence tests/CN=$cn" -out "$name.csr"
	openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
		-days "$DAYS" -sha256 -extfile "$ext" -out "$name.pem" 2>/dev/null
	rm -f "$name.csr" "$ext"
}

mkca ca "rsyslog-confluence Test CA"
mkca rogue-ca "Rogue Test CA"
# if a CA was regenerated, mkleaf notices (verify fails) and re-issues its leaves
mkleaf server ca localhost "DNS:localhost,IP:127.0.0.1,IP:::1" serverAuth
mkleaf client ca imconfluence-client "" clientAuth
mkleaf wronghost ca wrong.example "DNS:wrong.example" serverAuth
mkleaf rogue-server rogue-ca localhost "DNS:localhost,IP:127.0.0.1,IP:::1" serverAuth
mkleaf rogue-client rogue-ca imconfluence-client "" clientAuth
cat server.pem ca.pem >server-chain.pem
chmod 0644 ./*.pem ./*.key
rm -f ./*.srl
