package scan

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// maxURLToolInput bounds the size of URL-tool output, which is read whole:
// the tool prints a few KiB.
const maxURLToolInput = 16 << 20

// ReadText reads a text input such as URL-tool output whole (at most
// 16 MiB), as UTF-8, decoding UTF-16 with a byte order mark (what
// PowerShell 5 redirection writes) and dropping a UTF-8 byte order mark.
// discover.URLToolEvent reads what the text says.
func ReadText(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(textReader(r), maxURLToolInput+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > maxURLToolInput {
		return "", fmt.Errorf("%s: larger than %d MiB, which URL-tool output never is; is it the right file?", name, maxURLToolInput>>20)
	}
	return string(b), nil
}

// textReader returns r as UTF-8 text: a UTF-8 byte order mark is dropped
// and UTF-16 with a byte order mark is decoded as it is read, so the input
// is never held whole.
func textReader(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		// ExpectBOM takes the byte order from the mark and drops it.
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	}
	return br
}
