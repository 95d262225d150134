// The checks of 02-reshape-view: your answer against the library's.

import CourseKit
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("02-reshape-view") { check in
            // Arrays of every kind: contiguous, a transpose, a slice with steps, one with size-1 axes.
            let base = NDArray<Float>.arange(24).reshaped(2, 3, 4)
            let arrays: [(String, NDArray<Float>)] = [
                ("a contiguous [2, 3, 4]", base), ("its transpose [4, 3, 2]", base.T),
                ("a slice base[.all, 1...] [2, 2, 4]", base[.all, 1...]), ("a slice with steps [2, 3, 2]", base[.ellipsis, .stride(by: 2)]),
                ("[2, 1, 3, 4] with a size-1 axis", base.reshaped(2, 1, 3, 4)), ("[3, 2, 4], axes 0 and 1 swapped", base.swappedAxes(0, 1)),
            ]
            let shapes = [[24], [6, 4], [2, 12], [4, 6], [2, 3, 2, 2], [1, 24], [24, 1], [2, 2, 2, 3],
                          [16], [4, 4], [2, 8], [2, 2, 4], [12], [3, 4], [6, 2], [2, 6], [3, 2, 2]]
            for (name, x) in arrays {
                for newShape in shapes where newShape.reduce(1, *) == x.count {
                    let y = x.reshaped(newShape)
                    let expected: [Int]? = y.sharesStorage(with: x) ? y.strides : nil
                    let got = reshapedStrides(shape: x.shape, strides: x.strides, newShape: newShape)
                    // A size-1 axis may have any stride: compare the others.
                    if var e = expected, var g = got {
                        for axis in newShape.indices where newShape[axis] == 1 { e[axis] = 0; g[axis] = 0 }
                        check.equal(g, e, case: "\(name) → \(newShape)", hint: 2)
                        continue
                    }
                    check.equal(got == nil, expected == nil,
                                case: "\(name) → \(newShape): " + (expected == nil ? "a copy is needed (nil)" : "a view exists"),
                                hint: expected == nil ? 1 : 3)
                }
            }
        }
    }
}
