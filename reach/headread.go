package reach

import (
	"bufio"
	"errors"
	"io"
	"net/http"
)

// maxHead bounds what is read of an HTTP answer: its status line and
// headers. Bodies are never read, so a peer cannot make a check hold
// more than this per connection whatever it sends and however long the
// timeout.
const maxHead = 64 << 10

// errHeadTooLong is the error of an answer whose head runs past maxHead.
var errHeadTooLong = errors.New("HTTP status line and headers too long")

// headLimit reads at most n bytes of r, then fails with errHeadTooLong.
type headLimit struct {
	r io.Reader
	n int
}

func (h *headLimit) Read(p []byte) (int, error) {
	if h.n <= 0 {
		return 0, errHeadTooLong
	}
	if len(p) > h.n {
		p = p[:h.n]
	}
	n, err := h.r.Read(p)
	h.n -= n
	return n, err
}

// readHead reads the status line and headers of the answer to req from
// r, at most maxHead bytes, and never its body. The reader returned holds
// what was read past the head.
func readHead(r io.Reader, req *http.Request) (*http.Response, *bufio.Reader, error) {
	br := bufio.NewReaderSize(&headLimit{r: r, n: maxHead}, 4<<10)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		if errors.Is(err, errHeadTooLong) {
			err = errHeadTooLong
		}
		return nil, nil, err
	}
	// The body is left unread: closing it would read it to its end.
	resp.Body = http.NoBody
	return resp, br, nil
}
