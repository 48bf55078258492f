# A user name may no longer contain digits: a request that was valid is refused. oasdiff rates a
# changed pattern a warning, which make breaking fails on (--fail-on WARN).
s/^      pattern: '\^\[a-z0-9\]+(-\[a-z0-9\]+)\*\$'$/      pattern: '^[a-z]+(-[a-z]+)*$'/
