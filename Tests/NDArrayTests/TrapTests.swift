// TrapTests.swift — what a programmer error says.
//
// After reading this file you should know which mistakes stop the program (a
// shape mismatch, an axis or index out of range — errors in the code, like
// NumPy's exceptions) and what the message tells you: the operation, both
// shapes and the axis. Each case runs in a child process (a Swift Testing exit
// test) and checks the message it printed. Mistakes in outside input, such as
// a damaged .npy file, throw instead: see NPYTests.

import NDArray
import Testing

/// Runs `body` in a child process, expects it to stop, and returns what it printed.
private func trapMessage(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite("Programmer errors stop with a message naming the operation, the shapes and the axis")
struct TrapTests {
    @Test func matmulOfMisalignedShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(NDArray<Float>.zeros([2, 3]), NDArray<Float>.zeros([4, 5]))
        }
        #expect(trapMessage(result).contains("matmul: shapes [2, 3] and [4, 5] not aligned: 3 (axis -1) != 4 (axis -2)"))
    }

    @Test func matmulWithBatchAxesThatDoNotBroadcast() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(NDArray<Float>.zeros([2, 2, 3, 4]), NDArray<Float>.zeros([3, 4, 5]))
        }
        #expect(trapMessage(result).contains(
            "matmul: batch axes of shapes [2, 2, 3, 4] and [3, 4, 5] cannot be broadcast together: 2 (axis -3) != 3 (axis -3)"))
    }

    @Test func addingShapesThatDoNotBroadcast() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2, 3]) + NDArray<Float>.zeros([4])
        }
        #expect(trapMessage(result).contains("add: shapes [2, 3] and [4] cannot be broadcast together: 3 (axis -1) != 4 (axis -1)"))
    }

    @Test func reducingAnAxisThatIsNotThere() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2, 3]).sum(axis: 2)
        }
        #expect(trapMessage(result).contains("sum: axis 2 is out of bounds for array of shape [2, 3] (ndim 2)"))
    }

    @Test func meanAlongAnAxisThatIsNotThereNamesMean() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2, 3]).mean(axis: -3)
        }
        #expect(trapMessage(result).contains("mean: axis -3 is out of bounds for array of shape [2, 3] (ndim 2)"))
    }

    @Test func softmaxAlongAnAxisThatIsNotThere() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2, 3]).softmax(axis: -3)
        }
        #expect(trapMessage(result).contains("softmax: axis -3 is out of bounds for array of shape [2, 3] (ndim 2)"))
    }

    @Test func reshapingToTheWrongCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2, 3]).reshaped(4, -1)
        }
        #expect(trapMessage(result).contains("reshape: cannot reshape array of shape [2, 3] (6 elements) into shape [4, -1]"))
    }

    @Test func indexingPastTheEnd() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([3, 4])[3]
        }
        #expect(trapMessage(result).contains("subscript: index 3 is out of bounds for axis 0 with size 3 (shape [3, 4])"))
    }

    @Test func indexingTooManyAxes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([3, 4])[0, 0, 0]
        }
        #expect(trapMessage(result).contains("subscript: too many indices for array: array of shape [3, 4] is 2-dimensional, but 3 were indexed"))
    }

    @Test func assigningAShapeThatDoesNotFit() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var a = NDArray<Float>.zeros([3, 4])
            a[0, 0..<2] = [1, 2, 3]
        }
        #expect(trapMessage(result).contains("subscript assignment: shapes [2] and [3] cannot be broadcast together: 2 (axis -1) != 3 (axis -1)"))
    }

    @Test func takingAnIndexOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([5, 2]).take(NDArray<Int32>([1, 7]), axis: 0)
        }
        #expect(trapMessage(result).contains("take: index 7 is out of bounds for axis 0 with size 5 (shape [5, 2])"))
    }

    @Test func oneHotOfAnIdPastTheDepth() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.oneHot(NDArray<Int>([0, 4]), depth: 4)
        }
        #expect(trapMessage(result).contains("oneHot: index 4 is out of range for depth 4 (indices of shape [2])"))
    }

    @Test func concatenatingMismatchedShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = concatenate([NDArray<Float>.zeros([2, 3]), NDArray<Float>.zeros([2, 2])], axis: 0)
        }
        #expect(trapMessage(result).contains("concatenate: shapes [2, 3] (array 0) and [2, 2] (array 1) differ on axis 1: 3 != 2"))
    }

    @Test func theMaximumOfNothing() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([0, 3]).max(axis: 0)
        }
        #expect(trapMessage(result).contains("maximum: zero-size array to reduction operation maximum which has no identity"))
    }

    @Test func squeezingAnAxisLargerThanOne() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2, 1]).squeezed(axis: 0)
        }
        #expect(trapMessage(result).contains("squeeze: cannot select an axis to squeeze out which has size not equal to one: axis 0 has size 2 in shape [2, 1]"))
    }

    @Test func splittingUnevenly() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = split(NDArray<Float>.zeros([4, 6]), sections: 4, axis: 1)
        }
        #expect(trapMessage(result).contains("split: array split does not result in an equal division: axis 1 of size 6 (shape [4, 6]) into 4 sections"))
    }

    @Test func itemOfManyElements() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2]).item()
        }
        #expect(trapMessage(result).contains("item: an array of shape [2] holds 2 elements, not 1"))
    }

    @Test func broadcastingToAShapeThatDoesNotFit() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([3]).broadcast(to: [2, 4])
        }
        #expect(trapMessage(result).contains("broadcast_to: shapes [3] and [2, 4] cannot be broadcast together: 3 (axis -1) != 4 (axis -1)"))
    }

    @Test func takeAlongAxisWithTooFewIndexAxes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([3, 4]).takeAlongAxis(NDArray<Int>([0, 1]), axis: 1)
        }
        #expect(trapMessage(result).contains("take_along_axis: indices of shape [2] must have as many axes as the array of shape [3, 4]"))
    }

    @Test func takeAlongAxisWithIndicesThatDoNotBroadcast() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([3, 4]).takeAlongAxis(NDArray<Int>.zeros([2, 2]), axis: 1)
        }
        // The caller's shapes, not the ones with the axis pinned to 1 ([3, 1] and [2, 1]).
        #expect(trapMessage(result).contains("take_along_axis: shapes [3, 4] and [2, 2] (the indices) cannot be broadcast "
                                             + "together outside axis 1: 3 (axis 0) != 2 (axis 0)"))
    }

    @Test func addingInPlaceWhatWouldGrowTheLeftSide() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var a = NDArray<Float>.zeros([3])
            a += NDArray<Float>.zeros([2, 3])
        }
        #expect(trapMessage(result).contains("add: in place: the result of shapes [3] and [2, 3] would have shape [2, 3], not [3]"))
    }

    @Test func stackingDifferentShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = stack([NDArray<Float>.zeros([2, 3]), NDArray<Float>.zeros([3, 2])])
        }
        #expect(trapMessage(result).contains("stack: all input arrays must have the same shape, but array 0 has shape [2, 3] and array 1 has shape [3, 2]"))
    }

    @Test func transposingWithAxesThatDoNotMatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2, 3]).transposed([0, 0])
        }
        #expect(trapMessage(result).contains("transpose: axis 0 is repeated in axes [0, 0] for shape [2, 3]"))
    }

    @Test func aSliceStepOfZero() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([4])[.stride(by: 0)]
        }
        #expect(trapMessage(result).contains("slice: slice step cannot be zero"))
    }

    @Test func twoEllipses() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2, 3])[.ellipsis, .ellipsis]
        }
        #expect(trapMessage(result).contains("subscript: an index can only have a single ellipsis"))
    }

    @Test func reshapingWithTwoUnknownSizes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>.zeros([2, 3]).reshaped(-1, -1)
        }
        #expect(trapMessage(result).contains("reshape: can only infer one size, got [-1, -1]"))
    }

    @Test func anIntegerLiteralTooLargeForItsType() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let _: NDArray<Int32> = [1, 3_000_000_000]
        }
        #expect(trapMessage(result).contains("integer literal: 3000000000 does not fit in int32"))
    }

    @Test func convertingNaNToAnInteger() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NDArray<Float>([1, .nan]).asType(Int32.self)
        }
        #expect(trapMessage(result).contains("asType: nan cannot be converted to int32"))
    }

    @Test func raggedLiteral() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let _: NDArray<Float> = [[1, 2], [3]]
        }
        #expect(trapMessage(result).contains("array literal: element 1 has shape [1], element 0 has shape [2]: rows must not be ragged"))
    }
}
