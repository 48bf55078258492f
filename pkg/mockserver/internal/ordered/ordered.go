// Package ordered is an insertion-ordered map: the mock keeps the users and the firewall rules of
// a database in one, so that no operation scans them while holding the server's lock.
package ordered

import "iter"

// Map is an insertion-ordered map: lookups, inserts and deletes take constant time, iteration
// follows insertion order. The users and firewall rules of a database are kept in one, so that no
// operation scans them under the server's lock. The zero Map is empty and ready to use.
type Map[V any] struct {
	m           map[string]*node[V]
	first, last *node[V]
}

type node[V any] struct {
	key        string
	v          V
	prev, next *node[V]
}

// Len returns the number of keys.
func (x *Map[V]) Len() int { return len(x.m) }

// Get returns the value of key.
func (x *Map[V]) Get(key string) (V, bool) {
	if n := x.m[key]; n != nil {
		return n.v, true
	}
	var zero V
	return zero, false
}

// Add appends key with v, unless key is there already (then it returns false).
func (x *Map[V]) Add(key string, v V) bool {
	if _, ok := x.m[key]; ok {
		return false
	}
	if x.m == nil {
		x.m = map[string]*node[V]{}
	}
	n := &node[V]{key: key, v: v, prev: x.last}
	if x.last != nil {
		x.last.next = n
	} else {
		x.first = n
	}
	x.last = n
	x.m[key] = n
	return true
}

// Set replaces the value of key in place; it returns false when key is not there.
func (x *Map[V]) Set(key string, v V) bool {
	n := x.m[key]
	if n == nil {
		return false
	}
	n.v = v
	return true
}

// Remove deletes key; it returns false when key is not there.
func (x *Map[V]) Remove(key string) bool {
	n := x.m[key]
	if n == nil {
		return false
	}
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		x.first = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		x.last = n.prev
	}
	delete(x.m, key)
	return true
}

// All yields the values in insertion order.
func (x *Map[V]) All() iter.Seq[V] {
	return func(yield func(V) bool) {
		for n := x.first; n != nil; n = n.next {
			if !yield(n.v) {
				return
			}
		}
	}
}
