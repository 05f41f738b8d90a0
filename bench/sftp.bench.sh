#!/bin/sh
# The SFTP benchmark lives in bench/sftp.sh (the name issue 6 gives it).
exec sh "$(dirname "$0")/sftp.sh" "$@"
