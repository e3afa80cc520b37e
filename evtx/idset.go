package evtx

import "sort"

// idSet is a set of record IDs kept as sorted, disjoint intervals. Record IDs
// in a log are mostly consecutive, so a file of millions of records needs a
// few intervals per chunk rather than an entry per record.
type idSet struct {
	iv [][2]uint64 // [lo, hi], sorted by lo, non-adjacent
}

// add inserts id and reports whether it was new.
func (s *idSet) add(id uint64) bool {
	// Fast path: extends or equals the last interval.
	if n := len(s.iv); n > 0 {
		last := &s.iv[n-1]
		switch {
		case id >= last[0] && id <= last[1]:
			return false
		case id == last[1]+1:
			last[1] = id
			return true
		case id > last[1]+1:
			s.iv = append(s.iv, [2]uint64{id, id})
			return true
		}
	}
	// i is the first interval with lo > id.
	i := sort.Search(len(s.iv), func(k int) bool { return s.iv[k][0] > id })
	if i > 0 && id <= s.iv[i-1][1] {
		return false
	}
	joinPrev := i > 0 && s.iv[i-1][1]+1 == id
	joinNext := i < len(s.iv) && id+1 == s.iv[i][0]
	switch {
	case joinPrev && joinNext:
		s.iv[i-1][1] = s.iv[i][1]
		s.iv = append(s.iv[:i], s.iv[i+1:]...)
	case joinPrev:
		s.iv[i-1][1] = id
	case joinNext:
		s.iv[i][0] = id
	default:
		s.iv = append(s.iv, [2]uint64{})
		copy(s.iv[i+1:], s.iv[i:])
		s.iv[i] = [2]uint64{id, id}
	}
	return true
}
