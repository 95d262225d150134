// The checks of 05-sum-axis: your answer against the library's.

import CourseKit
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("05-sum-axis") { check in
            let x = NDArray<Float>.arange(24).reshaped(2, 3, 4)
            for axis in [0, 1, 2] {
                check.equal(sumAlongAxis(x, axis: axis, keepDims: false), x.sum(axis: axis), case: "[2, 3, 4], axis \(axis)", hint: 1)
            }
            check.equal(sumAlongAxis(x, axis: -1, keepDims: true), x.sum(axis: -1, keepDims: true),
                        case: "axis -1 with keepDims: [2, 3, 1]", hint: 2)
            check.equal(sumAlongAxis(x, axis: 1, keepDims: true), x.sum(axis: 1, keepDims: true), case: "axis 1 with keepDims", hint: 2)
            let t = x.transposed([2, 0, 1])                                    // [4, 2, 3], not contiguous
            check.equal(sumAlongAxis(t, axis: 1, keepDims: false), t.sum(axis: 1),
                        case: "a transposed view [4, 2, 3] (its elements are not in storage order)", hint: 3)
        }
    }
}
