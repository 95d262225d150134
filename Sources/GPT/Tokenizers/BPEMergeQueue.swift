// BPEMergeQueue.swift — the small types encoding and training share: id pairs and a min-heap.
//
//   TokenPair (left id, right id)      a merge rule's key; ordered left id first (the trainer's tie-break)
//   MergeCandidate (rank, position)    a merge waiting in a word: lowest rank first, then leftmost
//   BPEHeap                            a binary min-heap of either
//
// Depends on: nothing.

/// Two adjacent token ids, compared left id first (the trainer's tie-break).
struct TokenPair: Hashable, Comparable, Sendable {
    var left: Int
    var right: Int
    init(_ left: Int, _ right: Int) {
        self.left = left
        self.right = right
    }
    static func < (a: TokenPair, b: TokenPair) -> Bool { (a.left, a.right) < (b.left, b.right) }
}

/// What a pair of ids merges into, and the merge's rank.
struct MergeResult: Sendable {
    let rank: Int
    let id: Int
}

/// A merge waiting in a word's heap: the lowest rank comes out first, then the leftmost.
struct MergeCandidate: Comparable {
    let rank: Int
    let position: Int
    let id: Int
    static func < (a: MergeCandidate, b: MergeCandidate) -> Bool { (a.rank, a.position) < (b.rank, b.position) }
    static func == (a: MergeCandidate, b: MergeCandidate) -> Bool { a.rank == b.rank && a.position == b.position }
}

/// A binary min-heap: `pop()` returns the smallest element. O(log n) per push and pop.
struct BPEHeap<Element: Comparable> {
    private var elements: [Element] = []

    /// Whether the heap is empty.
    var isEmpty: Bool { elements.isEmpty }

    /// Adds `element`, sifting it up past every larger parent.
    mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !(elements[child] < elements[parent]) { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the smallest element: the last element takes the root's place and sifts down.
    mutating func pop() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let smallest = elements.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smaller = parent
            if left < elements.count && elements[left] < elements[smaller] { smaller = left }
            if right < elements.count && elements[right] < elements[smaller] { smaller = right }
            if smaller == parent { break }
            elements.swapAt(parent, smaller)
            parent = smaller
        }
        return smallest
    }
}
