#!/bin/bash
# imconfluence_kill9.sh for Jira Data Center: no event lost across three
# kill -9, at most one page repeated per kill.
PRODUCT=jira exec "$(dirname "$0")/imconfluence_kill9.sh"
