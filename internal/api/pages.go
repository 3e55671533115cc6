package api

// replyPage answers a page of a list with the total of the whole list (as
// list does), or err: the tail of every paged list handler.
func replyPage[T any](items []T, total int, err error, p Page) (*struct{ Body ListBody[T] }, error) {
	if err != nil {
		return nil, err
	}
	return list(items, total, p), nil
}
