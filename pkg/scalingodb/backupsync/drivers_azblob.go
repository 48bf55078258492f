//go:build azblob

package backupsync

import _ "gocloud.dev/blob/azureblob" // azblob:// destinations
