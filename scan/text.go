package scan

import (
	"fmt"
	"io"

	"github.com/avdurls/avdurls/internal/textenc"
)

// maxURLToolInput bounds the size of URL-tool output, which is read whole:
// the tool prints a few KiB.
const maxURLToolInput = 16 << 20

// ReadText reads a text input such as URL-tool output whole (at most
// 16 MiB), as UTF-8, decoding UTF-16 with a byte order mark (what
// PowerShell 5 redirection writes) and dropping a UTF-8 byte order mark.
// discover.URLToolEvent reads what the text says.
func ReadText(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(textenc.Reader(r), maxURLToolInput+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > maxURLToolInput {
		return "", fmt.Errorf("%s: larger than %d MiB, which URL-tool output never is; is it the right file?", name, maxURLToolInput>>20)
	}
	return string(b), nil
}
