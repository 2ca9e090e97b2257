#!/bin/bash
# imconfluence_kill9.sh for Jira Cloud's audit records: no event lost across three
# kill -9, at most one page repeated per kill.
PRODUCT=jira-cloud exec "$(dirname "$0")/imconfluence_kill9.sh"
