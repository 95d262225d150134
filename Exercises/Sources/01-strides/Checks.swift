// The checks of 01-strides: your answer against the library's.

import CourseKit
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("01-strides") { check in
            for shape in [[2, 3, 4], [5], [4, 1, 3], [2, 2, 2, 2]] {
                check.equal(contiguousStrides(shape), NDArray<Float>.zeros(shape).strides, case: "shape \(shape)", hint: 1)
            }
            check.equal(contiguousStrides([]), [], case: "a 0-d array: shape [] has no strides", hint: 2)
            check.equal(contiguousStrides([2, 0, 3]), NDArray<Float>.zeros([2, 0, 3]).strides,
                        case: "an empty axis: shape [2, 0, 3]", hint: 3)
        }
    }
}
