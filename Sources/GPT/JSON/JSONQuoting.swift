// JSONQuoting.swift — a string as a JSON string literal, exactly as Hugging Face writes it.
//
//   Ġthe  →  "Ġthe"        a"b\n  →  "a\"b\n"
//
// vocab.json and the safetensors header are written by hand so that the bytes
// match what Hugging Face's Rust code (serde_json) writes: non-ASCII characters
// stay as they are, only `"`, `\` and control characters are escaped.
//
// Depends on: nothing.

/// `s` as a JSON string, escaped as serde_json (and so Hugging Face) escapes it: `"` `\` and
/// control characters only; everything else, "Ġ" included, written as it is.
func jsonQuoted(_ s: String) -> String {
    var quoted = String.UnicodeScalarView()
    quoted.append("\"")
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": quoted.append(contentsOf: "\\\"".unicodeScalars)
        case "\\": quoted.append(contentsOf: "\\\\".unicodeScalars)
        case "\n": quoted.append(contentsOf: "\\n".unicodeScalars)
        case "\r": quoted.append(contentsOf: "\\r".unicodeScalars)
        case "\t": quoted.append(contentsOf: "\\t".unicodeScalars)
        case "\u{08}": quoted.append(contentsOf: "\\b".unicodeScalars)
        case "\u{0C}": quoted.append(contentsOf: "\\f".unicodeScalars)
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            quoted.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
        default: quoted.append(scalar)
        }
    }
    quoted.append("\"")
    return String(quoted)
}
