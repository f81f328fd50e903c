package french

// Cut is s cut after n characters, with an ellipsis when cut, for quoting a
// value in a message. It walks s in place: the value can be a whole request
// body's worth, quoted by the message of every row that carries it. Bytes
// that are not UTF-8 count one character each.
func Cut(s string, n int) string {
	count := 0
	for i := range s {
		if count == n {
			return s[:i] + "…"
		}
		count++
	}
	return s
}
