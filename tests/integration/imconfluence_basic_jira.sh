#!/bin/bash
# imconfluence_basic.sh for Jira Data Center: the same API, that product's
# events, product="jira" and $!metadata!product on every message.
PRODUCT=jira exec "$(dirname "$0")/imconfluence_basic.sh"
