# redis-cache is no longer a feature name a request may send.
s/^      enum: \[force-ssl, publicly-available, redis-rdb, redis-aof, redis-cache\]$/      enum: [force-ssl, publicly-available, redis-rdb, redis-aof]/
