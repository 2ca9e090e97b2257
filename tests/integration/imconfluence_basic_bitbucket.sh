#!/bin/bash
# imconfluence_basic.sh for Bitbucket Data Center: the same API, that product's
# events, product="bitbucket" and $!metadata!product on every message.
PRODUCT=bitbucket exec "$(dirname "$0")/imconfluence_basic.sh"
