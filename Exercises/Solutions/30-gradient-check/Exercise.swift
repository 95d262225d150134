// 30-gradient-check (solution) — a central-difference gradient check
//
// Task: write `numericalGradient(of:at:h:)`: estimate every partial derivative of f at x by the
// central difference (f(x + h·e_i) − f(x − h·e_i)) / 2h. It is how every backward in this project
// is checked (against Double arithmetic, to about 1e-8). A one-sided difference
// (f(x + h) − f(x)) / h errs by O(h), the central one by O(h²).
//
//   x [N] → gradient [N]
//
// Walkthrough: chapter 5, "Checking a few entries by finite differences".
// Notebook: Notebooks/11-backprop.swift, lesson 11 (`swift run -c release lesson 11`).
// The library's own: Sources/Backprop/GradientCheck.swift (`checkGradients`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 30-gradient-check`.

import CourseKit
import Foundation

/// The central-difference gradient of f at x.
/// - Parameters:
///   - f: a function of N numbers
///   - x: the point, [N]
///   - h: the step (1e-5 suits Double)
/// - Returns: ∂f/∂x_i for each i, [N]
func numericalGradient(of f: ([Double]) -> Double, at x: [Double], h: Double) -> [Double] {
    x.indices.map { i in
        var up = x, down = x
        up[i] += h
        down[i] -= h
        return (f(up) - f(down)) / (2 * h)
    }
}
