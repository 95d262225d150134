// The checks of 03-transpose: your answer against the library's.

import CourseKit
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("03-transpose") { check in
            let x = NDArray<Float>.arange(120).reshaped(2, 3, 4, 5)
            for axes in [[1, 0, 2, 3], [3, 2, 1, 0], [0, 2, 1, 3], [2, 0, 3, 1]] {
                let view = x.transposed(axes)
                let got = permutedLayout(shape: x.shape, strides: x.strides, axes: axes)
                check.equal(got.shape, view.shape, case: "shape of [2, 3, 4, 5] permuted by \(axes)", hint: 1)
                check.equal(got.strides, view.strides, case: "strides of [2, 3, 4, 5] permuted by \(axes)", hint: 2)
            }
            // A view of a view: the strides are not contiguous ones any more.
            let sliced = x[.all, .stride(by: 2), 1...]                      // [2, 2, 3, 5]
            let got = permutedLayout(shape: sliced.shape, strides: sliced.strides, axes: [0, 2, 1, 3])
            check.equal(got.strides, sliced.transposed([0, 2, 1, 3]).strides,
                        case: "a slice with steps (its strides are not contiguous ones), permuted [0, 2, 1, 3]", hint: 2)
            check.equal(permutedLayout(shape: x.shape, strides: x.strides, axes: [0, 1, -1, -2]).shape, [2, 3, 5, 4],
                        case: "negative axes: [0, 1, -1, -2]", hint: 3)
        }
    }
}
