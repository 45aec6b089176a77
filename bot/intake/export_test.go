package intake

// Queued is the number of updates waiting for a transaction of their
// group (group.go): how a test knows that its updates are grouped.
func Queued(it *Intake) int {
	if it.group == nil {
		return 0
	}
	it.group.mu.Lock()
	defer it.group.mu.Unlock()
	return len(it.group.queue)
}
