// ElementFormatter.swift — how one element is written when an array prints,
// following NumPy's rules so that our output reads like NumPy's.
//
// Integers are right-aligned to the widest. Booleans are " True" and "False".
// Floats (NumPy's FloatingFormat, "maxprec" mode, precision 8):
//   - each value gets the fewest digits that read back to the same float, at
//     most 8 after the point: 0.1 prints "0.1", 1/3 prints "0.33333334";
//   - scientific notation when the largest magnitude reaches 1e6 (Float) or 1e8
//     (Double), the smallest is below 1e-4, or they differ by more than 1000×;
//   - then every value is padded so the points line up: [1.5 , 2.25, 3.  ].
// A 0-d array prints like a scalar, with all the digits it needs.
//
// Not here: print options (precision, suppress, linewidth) — NumPy's defaults are fixed.

import Foundation

/// Where the elements being formatted stand.
public enum ElementStyle: Sendable {
    /// In an array of one or more axes: columns line up.
    case array
    /// The one element of a 0-d array in its debug form: `array(3.5, …)`.
    case zeroDimensional
    /// A value printed alone (a 0-d array's `description`): every digit it needs.
    case scalar
}

/// Writes the elements of one array as NumPy would; built from the elements
/// that will be shown, so that their columns line up.
public struct ElementFormatter<Scalar> {
    /// Formats one element.
    public let format: (Scalar) -> String
}

extension ElementFormatter where Scalar: FixedWidthInteger {
    /// Integers right-aligned to the width of the widest.
    static func integers(_ visible: [Scalar]) -> ElementFormatter {
        let width = visible.map { String($0).count }.max() ?? 0
        return ElementFormatter { x in leftPad(String(x), to: width) }
    }
}

extension ElementFormatter where Scalar == Bool {
    /// `" True"` / `"False"` in arrays (aligned), `"True"` alone.
    static func booleans(padded: Bool) -> ElementFormatter {
        let yes = padded ? " True" : "True"
        return ElementFormatter { $0 ? yes : "False" }
    }
}

extension ElementFormatter where Scalar: NDFloatingPoint {
    /// A float printed alone, like NumPy's scalars (and Python's floats): all the
    /// digits needed to read it back, positional between 1e-4 and the type's limit.
    static var floatingScalar: ElementFormatter {
        ElementFormatter { x in
            if x.isNaN { return "nan" }
            if x.isInfinite { return x < 0 ? "-inf" : "inf" }
            let digits = DecimalDigits(shortest: x)
            let magnitude = Swift.abs(Double(x))
            if x == 0 || (magnitude >= 1e-4 && magnitude < Scalar.positionalPrintLimit) {
                let (whole, fraction) = digits.positional()
                return whole + "." + (fraction.isEmpty ? "0" : fraction)
            }
            let (whole, fraction, exponent) = digits.scientific()
            return whole + (fraction.isEmpty ? "" : "." + fraction) + exponentString(exponent, digits: 2)
        }
    }

    /// The elements of an array, aligned on the point (NumPy's FloatingFormat).
    static func floating(_ visible: [Scalar]) -> ElementFormatter {
        let precision = 8
        let finite = visible.filter(\.isFinite)
        let magnitudes = finite.filter { $0 != 0 }.map { Swift.abs(Double($0)) }
        var scientific = false
        if let largest = magnitudes.max(), let smallest = magnitudes.min() {
            scientific = largest >= Scalar.arrayPositionalPrintLimit || smallest < 1e-4 || largest / smallest > 1000
        }
        var padLeft = 0, padRight = 0
        let body: (Scalar) -> String
        if finite.isEmpty {
            body = { _ in "" }
        } else if scientific {
            // First pass: the fewest digits each value needs (at most 8); all then use the longest.
            let first = finite.map { DecimalDigits(uniqueFor: $0, significantDigits: precision + 1).scientific() }
            let fractionDigits = first.map(\.fraction.count).max()!
            let exponentWidth = Swift.max(2, first.map { String(Swift.abs($0.exponent)).count }.max()!)
            padLeft = first.map(\.whole.count).max()!
            padRight = exponentWidth + 2 + fractionDigits
            body = { x in
                let (whole, fraction, exponent) = DecimalDigits(uniqueFor: x, significantDigits: fractionDigits + 1,
                                                                minimumDigits: fractionDigits + 1).scientific()
                return leftPad(whole, to: padLeft) + "." + fraction + exponentString(exponent, digits: exponentWidth)
            }
        } else {
            let parts = finite.map { DecimalDigits(uniqueFor: $0, fractionDigits: precision).positional() }
            padLeft = parts.map(\.whole.count).max()!
            padRight = parts.map(\.fraction.count).max()!
            body = { x in
                let (whole, fraction) = DecimalDigits(uniqueFor: x, fractionDigits: precision).positional()
                return leftPad(whole, to: padLeft) + "." + fraction.padding(toLength: padRight, withPad: " ", startingAt: 0)
            }
        }
        if finite.count != visible.count {
            // Room for "nan", "inf" and "-inf", right-aligned in the same width.
            let negativeInfinity = visible.contains { $0.isInfinite && $0 < 0 } ? 1 : 0
            padLeft = Swift.max(padLeft, 3 - (padRight + 1), 3 + negativeInfinity - (padRight + 1))
        }
        let width = padLeft + padRight + 1
        return ElementFormatter { x in
            if x.isNaN { return leftPad("nan", to: width) }
            if x.isInfinite { return leftPad(x < 0 ? "-inf" : "inf", to: width) }
            return body(x)
        }
    }
}

/// `text` with spaces in front up to `width` characters.
func leftPad(_ text: String, to width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

/// `e+05`, `e-300`: the exponent with at least `digits` digits.
func exponentString(_ exponent: Int, digits: Int) -> String {
    "e" + (exponent < 0 ? "-" : "+") + leftPad(String(Swift.abs(exponent)), to: digits).replacingOccurrences(of: " ", with: "0")
}

/// A finite float as decimal digits: value = ±d₁.d₂d₃… × 10^exponent.
struct DecimalDigits {
    var negative: Bool
    /// The significant digits, as characters, without trailing zeros (at least one digit).
    var digits: [Character]
    var exponent: Int

    /// The shortest digits that read back to `x` (Swift's `description` finds them).
    init<F: NDFloatingPoint>(shortest x: F) {
        self.init(parsing: x.description)
    }

    /// The shortest digits of `x`, unless those need more than `fractionDigits`
    /// after the point: then `x` rounded exactly to that many (NumPy's Dragon4
    /// "unique" mode with a precision).
    init<F: NDFloatingPoint>(uniqueFor x: F, fractionDigits: Int) {
        let shortest = DecimalDigits(shortest: x)
        if shortest.digits.count - 1 - shortest.exponent <= fractionDigits {
            self = shortest
        } else {
            self.init(parsing: String(format: "%.\(fractionDigits)f", Double(x)))
        }
    }

    /// The shortest digits of `x` when that is between `minimumDigits` and
    /// `significantDigits` significant digits; else `x` rounded exactly to the nearer bound,
    /// without the zeros the rounding leaves at the end (NumPy trims them) unless
    /// `minimumDigits` asks for them.
    init<F: NDFloatingPoint>(uniqueFor x: F, significantDigits: Int, minimumDigits: Int = 1) {
        let shortest = DecimalDigits(shortest: x)
        let wanted = Swift.min(Swift.max(shortest.digits.count, minimumDigits), significantDigits)
        if wanted == shortest.digits.count {
            self = shortest
        } else {
            self.init(parsing: String(format: "%.\(wanted - 1)e", Double(x)))   // rounded, trailing zeros dropped
            while digits.count < minimumDigits { digits.append("0") }        // padded only to the minimum asked
        }
    }

    /// Reads "-12.5", "1e-05", "1.5e+20", "0.001".
    init(parsing text: String) {
        var body = Substring(text)
        negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        var exponent = 0
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(body[body.index(after: e)...])!
            body = body[..<e]
        }
        let point = body.firstIndex(of: ".") ?? body.endIndex
        let wholeCount = body.distance(from: body.startIndex, to: point)
        var all = Array(body.filter { $0 != "." })
        // Normalise to d₁.d₂… × 10^exponent: drop leading zeros, moving the point.
        var leading = 0
        while leading < all.count - 1 && all[leading] == "0" { leading += 1 }
        all.removeFirst(leading)
        exponent += wholeCount - 1 - leading
        let isZero = all.allSatisfy { $0 == "0" }
        if isZero {
            all = ["0"]
            exponent = 0
        }
        while all.count > 1 && all.last == "0" { all.removeLast() }
        self.digits = all
        self.exponent = exponent
    }

    /// ("-12", "5") for -12.5; ("0", "") for 0: the digits around the point, no trailing zeros.
    func positional() -> (whole: String, fraction: String) {
        let sign = negative ? "-" : ""
        if exponent < 0 {
            return (sign + "0", String(repeating: "0", count: -exponent - 1) + String(trimmed))
        }
        let wholeDigits = exponent + 1
        if digits.count <= wholeDigits {
            return (sign + String(digits) + String(repeating: "0", count: wholeDigits - digits.count), "")
        }
        return (sign + String(digits[..<wholeDigits]), String(digits[wholeDigits...]))
    }

    /// ("-1", "25", 3) for -1250: one digit before the point.
    func scientific() -> (whole: String, fraction: String, exponent: Int) {
        ((negative ? "-" : "") + String(digits[0]), String(digits.dropFirst()), exponent)
    }

    /// The digits without trailing zeros (zero itself keeps one).
    private var trimmed: ArraySlice<Character> {
        var end = digits.count
        while end > 1 && digits[end - 1] == "0" { end -= 1 }
        return digits[..<end]
    }
}
