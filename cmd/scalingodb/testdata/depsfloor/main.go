// Command depsfloor is a hello world that links the libraries scalingodb is
// built on (net/http through go-retryablehttp, the oapi-codegen runtime,
// cobra, the progress bar, x/term, and the blob drivers of backups sync:
// gocloud.dev's fileblob and s3blob with the AWS SDK) and runs their package
// inits, but none
// of the tool's code. BenchmarkCLIStartup starts it beside `scalingodb
// version`: its start-up is the floor those libraries set.
package main

import (
	"fmt"

	_ "github.com/hashicorp/go-retryablehttp"
	_ "github.com/oapi-codegen/runtime"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/spf13/cobra"
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob"
	_ "golang.org/x/term"
)

func main() { fmt.Println("hello, world") }
