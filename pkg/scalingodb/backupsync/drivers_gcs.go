//go:build gcs

package backupsync

import _ "gocloud.dev/blob/gcsblob" // gs:// destinations
